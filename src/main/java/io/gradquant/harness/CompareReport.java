package io.gradquant.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The comparison's results: compare.json ({@code {"config": ..., "runs": [...]}}), compare.csv and
 * the reference-style table, with one column per quantizer.
 */
public final class CompareReport {
    private CompareReport() {
    }

    /** The JSON document; {@code dataParallel} is null for a single process (and then left out). */
    record Document(Settings config, DataParallelSettings dataParallel, List<CompareRow> runs) {
    }

    /**
     * Writes compare.json and compare.csv into {@code dir} (again after each run, so partial results survive).
     *
     * @param dataParallel how the workers ran, or null for a single process
     */
    static void write(Path dir, Settings config, DataParallelSettings dataParallel, List<CompareRow> rows)
            throws IOException {
        Json.write(dir.resolve("compare.json"), new Document(config, dataParallel, rows));
        StringBuilder csv = new StringBuilder(CompareRow.csvHeader(dataParallel != null)).append('\n');
        rows.forEach(r -> csv.append(r.csv()).append('\n'));
        Files.writeString(dir.resolve("compare.csv"), csv, StandardCharsets.UTF_8);
    }

    /**
     * The table: one column per quantizer, one line per measure, as the reference's README shows it;
     * data-parallel runs add the collective, the split of the time per epoch, the traffic and
     * whether the ranks agree.
     */
    public static String table(List<CompareRow> rows) {
        List<List<String>> lines = new ArrayList<>();
        line(lines, "", rows, CompareRow::quantizer);
        line(lines, "test accuracy", rows, r -> String.format(Locale.ROOT, "%.2f%%", 100 * r.testAccuracy()));
        line(lines, "time per epoch", rows, r -> String.format(Locale.ROOT, "%.1f s", r.epochSeconds()));
        line(lines, "quantization per epoch", rows,
                r -> String.format(Locale.ROOT, "%.2f s", r.quantizationSecondsPerEpoch()));
        line(lines, "avg. variance", rows, r -> String.format(Locale.ROOT, "%.4g", r.avgVariance()));
        line(lines, "avg. norm. variance", rows, r -> String.format(Locale.ROOT, "%.4g", r.avgNormalizedVariance()));
        if (rows.stream().anyMatch(r -> r.exchange() != null)) {
            exchange(lines, "workers", rows, e -> Integer.toString(e.workers()));
            exchange(lines, "collective", rows, ExchangeMetrics::collective);
            exchange(lines, "  compute per epoch", rows, e -> seconds(e.computeSeconds()));
            exchange(lines, "  encode per epoch", rows, e -> seconds(e.encodeSeconds()));
            exchange(lines, "  communicate per epoch", rows, e -> seconds(e.communicateSeconds()));
            exchange(lines, "  decode per epoch", rows, e -> seconds(e.decodeSeconds()));
            exchange(lines, "  step per epoch", rows, e -> seconds(e.stepSeconds()));
            exchange(lines, "sent per step, worker", rows, e -> ExchangeMetrics.bytes(e.bytesPerStep()));
            exchange(lines, "smaller than float32", rows, e -> String.format(Locale.ROOT, "%.2fx", e.compressionRatio()));
            line(lines, "ranks agree", rows, r -> r.ranksAgree() ? "yes" : "NO");
        }
        // columns 13 wide as the reference's table, wider when a cell needs it
        int width = 13;
        for (List<String> cells : lines) {
            for (String cell : cells.subList(1, cells.size())) {
                width = Math.max(width, cell.length() + 2);
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> cells : lines) {
            out.append(String.format(Locale.ROOT, "%-24s", cells.get(0)));
            for (String cell : cells.subList(1, cells.size())) {
                out.append(" ".repeat(width - cell.length())).append(cell);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String seconds(double value) {
        return String.format(Locale.ROOT, "%.2f s", value);
    }

    private static void exchange(List<List<String>> lines, String label, List<CompareRow> rows,
            Function<ExchangeMetrics, String> cell) {
        line(lines, label, rows, r -> r.exchange() == null ? "-" : cell.apply(r.exchange()));
    }

    private static void line(List<List<String>> lines, String label, List<CompareRow> rows,
            Function<CompareRow, String> cell) {
        List<String> cells = new ArrayList<>();
        cells.add(label);
        rows.forEach(r -> cells.add(cell.apply(r)));
        lines.add(cells);
    }
}
