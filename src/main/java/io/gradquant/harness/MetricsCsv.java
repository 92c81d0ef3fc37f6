package io.gradquant.harness;

import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code metrics.csv}: one row per finished epoch, quantizer first. The file is rewritten whole
 * ({@link OutputFile}) as each epoch ends, so that a run stopped later keeps every epoch it
 * finished and a reader never sees half a row.
 */
final class MetricsCsv {
    private final Path file;
    private final StringBuilder rows = new StringBuilder("quantizer," + EpochMetrics.CSV_HEADER + "\n");

    /** Writes the header row. */
    MetricsCsv(Path file) throws IOException {
        this.file = file;
        OutputFile.writeString(file, rows);
    }

    void append(String quantizer, EpochMetrics epoch) throws IOException {
        rows.append(quantizer).append(',').append(epoch.csvFields()).append('\n');
        OutputFile.writeString(file, rows);
    }
}
