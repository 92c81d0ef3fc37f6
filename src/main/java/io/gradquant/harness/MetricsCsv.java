package io.gradquant.harness;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code metrics.csv}: one row per finished epoch, quantizer first, flushed as each epoch ends so
 * that a run stopped later keeps every epoch it finished. Data-parallel runs add the columns of
 * {@link ExchangeMetrics}.
 */
final class MetricsCsv implements Closeable {
    private final BufferedWriter out;

    MetricsCsv(Path file) throws IOException {
        this(file, false);
    }

    /** @param dataParallel whether the rows carry {@link ExchangeMetrics} */
    MetricsCsv(Path file, boolean dataParallel) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write("quantizer," + EpochMetrics.CSV_HEADER + (dataParallel ? "," + ExchangeMetrics.CSV_HEADER : "")
                + "\n");
        out.flush();
    }

    void append(String quantizer, EpochMetrics epoch) throws IOException {
        out.write(quantizer + "," + epoch.csvFields() + "\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
