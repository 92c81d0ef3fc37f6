package io.gradquant.harness;

import io.gradquant.io.OutputFile;
import java.awt.Color;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The comparison's two plots, as PNG files drawn by XChart (headless). */
final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;

    static {
        // no display is needed to draw into an image; without this AWT may look for one
        System.setProperty("java.awt.headless", "true");
    }

    /** One colour per quantizer, the same in both plots (XChart would assign them by series order). */
    private static final Map<String, Color> COLORS = Map.of(
            "none", new Color(0x1f77b4), "standard", new Color(0xff7f0e), "smart", new Color(0x9467bd),
            "hadamard", new Color(0x2ca02c), "exponential", new Color(0xd62728));

    private Charts() {
    }

    private static void color(XYSeries series, String quantizer) {
        Color c = COLORS.get(quantizer);
        if (c != null) {
            series.setLineColor(c);
            series.setMarkerColor(c);
        }
    }

    /** accuracy.png: test accuracy after each epoch, one line per quantizer (none for a run stopped in its first epoch). */
    static void accuracy(Path file, List<RunResult> runs, String title) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle("test accuracy").build();
        for (RunResult run : runs) {
            if (run.epochs().isEmpty()) {
                continue;
            }
            double[] x = run.epochs().stream().mapToDouble(EpochMetrics::epoch).toArray();
            double[] y = run.epochs().stream().mapToDouble(EpochMetrics::testAccuracy).toArray();
            XYSeries series = chart.addSeries(run.quantizer(), x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
            color(series, run.quantizer());
        }
        save(chart, file);
    }

    /**
     * variance.png: the variance probe's variance at each step, one line per quantizer, on a log
     * scale (the variances of different quantizers and steps span orders of magnitude). A series
     * with a zero, such as {@code none}'s, cannot be drawn on it and is named in the axis title.
     */
    static void variance(Path file, Map<String, double[]> variance, String title) throws IOException {
        List<String> zero = variance.entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(v -> !(v > 0)))
                .map(Map.Entry::getKey).toList();
        String axis = "quantization variance, sum of (x-l)(r-x)"
                + (zero.isEmpty() ? "" : " (" + String.join(", ", zero) + ": 0, not drawn)");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("step of plain SGD").yAxisTitle(axis).build();
        boolean any = variance.keySet().stream().anyMatch(q -> !zero.contains(q));
        chart.getStyler().setYAxisLogarithmic(any);
        for (Map.Entry<String, double[]> e : variance.entrySet()) {
            if (any && zero.contains(e.getKey())) {
                continue;
            }
            double[] y = e.getValue();
            double[] x = IntStream.range(0, y.length).mapToDouble(i -> i + 1).toArray();
            XYSeries series = chart.addSeries(e.getKey(), x, y);
            series.setMarker(SeriesMarkers.NONE);
            color(series, e.getKey());
        }
        save(chart, file);
    }

    private static void save(XYChart chart, Path file) throws IOException {
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        OutputFile.writeBytes(file, ByteBuffer.wrap(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
    }
}
