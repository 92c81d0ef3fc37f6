package io.gradquant.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The JSON document. */
    record Document(Settings config, List<CompareRow> runs) {
    }

    /** Writes compare.json and compare.csv into {@code dir} (again after each run, so partial results survive). */
    static void write(Path dir, Settings config, List<CompareRow> rows) throws IOException {
        Json.write(dir.resolve("compare.json"), new Document(config, rows));
        StringBuilder csv = new StringBuilder(CompareRow.CSV_HEADER).append('\n');
        rows.forEach(r -> csv.append(r.csv()).append('\n'));
        Files.writeString(dir.resolve("compare.csv"), csv, StandardCharsets.UTF_8);
    }

    /** The table: one column per quantizer, one line per measure, as the reference's README shows it. */
    public static String table(List<CompareRow> rows) {
        StringBuilder out = new StringBuilder();
        line(out, "", rows, CompareRow::quantizer);
        line(out, "test accuracy", rows, r -> String.format(Locale.ROOT, "%.2f%%", 100 * r.testAccuracy()));
        line(out, "time per epoch", rows, r -> String.format(Locale.ROOT, "%.1f s", r.epochSeconds()));
        line(out, "quantization per epoch", rows,
                r -> String.format(Locale.ROOT, "%.2f s", r.quantizationSecondsPerEpoch()));
        line(out, "avg. variance", rows, r -> String.format(Locale.ROOT, "%.4g", r.avgVariance()));
        line(out, "avg. norm. variance", rows, r -> String.format(Locale.ROOT, "%.4g", r.avgNormalizedVariance()));
        return out.toString();
    }

    private static void line(StringBuilder out, String label, List<CompareRow> rows, Function<CompareRow, String> cell) {
        out.append(String.format(Locale.ROOT, "%-24s", label));
        for (CompareRow r : rows) {
            out.append(String.format(Locale.ROOT, "%13s", cell.apply(r)));
        }
        out.append('\n');
    }
}
