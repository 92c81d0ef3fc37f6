package io.gradquant.harness;

import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The comparison's results: compare.json ({@code {"config": ..., "status": ..., "runs": [...]}}),
 * compare.csv and the reference-style table, with one column per quantizer.
 */
public final class CompareReport {
    private CompareReport() {
    }

    /**
     * The JSON document.
     *
     * @param status       "completed" when every run trained every epoch; else what is missing and why
     *                     (each run's own status says more)
     * @param dataParallel how the workers ran; null for a single process (and then left out)
     */
    record Document(Settings config, String status, DataParallelSettings dataParallel, List<CompareRow> runs) {
    }

    /**
     * Writes compare.json and compare.csv into {@code dir} (again after each run, so partial results survive).
     *
     * @param dataParallel how the workers ran, or null for a single process
     */
    static void write(Path dir, Settings config, String status, DataParallelSettings dataParallel,
            List<CompareRow> rows) throws IOException {
        Json.write(dir.resolve("compare.json"), new Document(config, status, dataParallel, rows));
        StringBuilder csv = new StringBuilder(CompareRow.csvHeader(dataParallel != null)).append('\n');
        rows.forEach(r -> csv.append(r.csv()).append('\n'));
        OutputFile.writeString(dir.resolve("compare.csv"), csv);
    }

    /**
     * The table: one column per quantizer, one line per measure, as the reference's README shows it;
     * data-parallel runs add the collective, the split of the time per epoch, the traffic and
     * whether the ranks agree.
     */
    public static String table(List<CompareRow> rows) {
        List<List<String>> lines = new ArrayList<>();
        line(lines, "", rows, CompareRow::quantizer);
        line(lines, "status", rows, r -> r.status().split(":", 2)[0]);
        line(lines, "test accuracy", rows, r -> number("%.2f%%", 100 * r.testAccuracy()));
        line(lines, "time per epoch", rows, r -> number("%.1f s", r.epochSeconds()));
        line(lines, "quantization per epoch", rows, r -> number("%.2f s", r.quantizationSecondsPerEpoch()));
        line(lines, "avg. variance", rows, r -> number("%.4g", r.avgVariance()));
        line(lines, "avg. norm. variance", rows, r -> number("%.4g", r.avgNormalizedVariance()));
        if (rows.stream().anyMatch(r -> r.exchange() != null)) {
            exchange(lines, "workers", rows, e -> Integer.toString(e.workers()));
            exchange(lines, "collective", rows, ExchangeMetrics::collective);
            exchange(lines, "  compute per epoch", rows, e -> number("%.2f s", e.computeSeconds()));
            exchange(lines, "  encode per epoch", rows, e -> number("%.2f s", e.encodeSeconds()));
            exchange(lines, "  communicate per epoch", rows, e -> number("%.2f s", e.communicateSeconds()));
            exchange(lines, "  decode per epoch", rows, e -> number("%.2f s", e.decodeSeconds()));
            exchange(lines, "  step per epoch", rows, e -> number("%.2f s", e.stepSeconds()));
            exchange(lines, "sent per step, worker", rows, e -> ExchangeMetrics.bytes(e.bytesPerStep()));
            exchange(lines, "smaller than float32", rows, e -> number("%.2fx", e.compressionRatio()));
            line(lines, "ranks agree", rows, r -> r.ranks() == null ? "-" : r.ranksAgree() ? "yes" : "NO");
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

    /** The value formatted, or "-" where there is none (a run stopped before its first epoch). */
    private static String number(String format, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "-";
    }

    /** A data-parallel line: "-" for a run without exchange figures. */
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
