package io.gradquant.harness;

import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;
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
     * @param status "completed" when every run trained every epoch; else what is missing and why
     *               (each run's own status says more)
     */
    record Document(Settings config, String status, List<CompareRow> runs) {
    }

    /** Writes compare.json and compare.csv into {@code dir} (again after each run, so partial results survive). */
    static void write(Path dir, Settings config, String status, List<CompareRow> rows) throws IOException {
        Json.write(dir.resolve("compare.json"), new Document(config, status, rows));
        StringBuilder csv = new StringBuilder(CompareRow.CSV_HEADER).append('\n');
        rows.forEach(r -> csv.append(r.csv()).append('\n'));
        OutputFile.writeString(dir.resolve("compare.csv"), csv);
    }

    /** The table: one column per quantizer, one line per measure, as the reference's README shows it. */
    public static String table(List<CompareRow> rows) {
        StringBuilder out = new StringBuilder();
        line(out, "", rows, CompareRow::quantizer);
        line(out, "status", rows, r -> r.status().split(":", 2)[0]);
        line(out, "test accuracy", rows, r -> number("%.2f%%", 100 * r.testAccuracy()));
        line(out, "time per epoch", rows, r -> number("%.1f s", r.epochSeconds()));
        line(out, "quantization per epoch", rows, r -> number("%.2f s", r.quantizationSecondsPerEpoch()));
        line(out, "avg. variance", rows, r -> number("%.4g", r.avgVariance()));
        line(out, "avg. norm. variance", rows, r -> number("%.4g", r.avgNormalizedVariance()));
        return out.toString();
    }

    /** The value formatted, or "-" where there is none (a run stopped before its first epoch). */
    private static String number(String format, double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "-";
    }

    private static void line(StringBuilder out, String label, List<CompareRow> rows, Function<CompareRow, String> cell) {
        out.append(String.format(Locale.ROOT, "%-24s", label));
        for (CompareRow r : rows) {
            out.append(String.format(Locale.ROOT, "%13s", cell.apply(r)));
        }
        out.append('\n');
    }
}
