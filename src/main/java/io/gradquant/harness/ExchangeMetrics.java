package io.gradquant.harness;

import io.gradquant.distributed.ExchangeTotals;
import java.util.List;
import java.util.Locale;

/**
 * What a data-parallel epoch spent on exchanging gradients, as rank 0 measured it (every rank
 * sends as much): the bytes it handed to MPI for other ranks per step, and the epoch's training
 * time split into its parts.
 *
 * @param workers             the number of workers (MPI ranks)
 * @param collective          how the gradients were combined: allgather, reduce-scatter or allreduce
 * @param bytesPerStep        bytes sent to other ranks per step, as counted at the MPI calls
 *                            ({@link io.gradquant.distributed.Collectives#bytesSent()}), gradient
 *                            exchange only
 * @param messageBytesPerStep bytes the rank's gradient travelled as per step: its compressed
 *                            messages, plus 4 bytes per value sent as float32
 * @param compressionRatio    4 bytes per gradient value over {@code messageBytesPerStep}: how much
 *                            smaller than float32 the gradient travels (1 for float32)
 * @param computeSeconds      forward and backward (with the loss)
 * @param encodeSeconds       compressing gradients into messages (error feedback included)
 * @param communicateSeconds  inside MPI calls: the gradient exchange, and the per-step allreduce of
 *                            the loss and statistics
 * @param decodeSeconds       turning received messages into the averaged gradient
 * @param stepSeconds         the optimizer step
 */
public record ExchangeMetrics(int workers, String collective, double bytesPerStep, double messageBytesPerStep,
        double compressionRatio, double computeSeconds, double encodeSeconds, double communicateSeconds,
        double decodeSeconds, double stepSeconds) {
    /** CSV header matching {@link #csvFields()}. */
    static final String CSV_HEADER = "workers,collective,bytes_per_step,message_bytes_per_step,compression_ratio,"
            + "compute_seconds,encode_seconds,communicate_seconds,decode_seconds,step_seconds";

    /**
     * An epoch's metrics.
     *
     * @param exchange     the gradient exchanges' totals
     * @param otherCommunicateSeconds time in MPI calls outside the gradient exchange
     */
    static ExchangeMetrics of(int workers, String collective, ExchangeTotals exchange, double computeSeconds,
            double otherCommunicateSeconds, double stepSeconds) {
        double steps = exchange.steps();
        return new ExchangeMetrics(workers, collective, exchange.bytesSentPerStep(),
                steps == 0 ? 0 : exchange.messageBytes() / steps, exchange.compressionRatio(), computeSeconds,
                exchange.encodeSeconds(), exchange.communicateSeconds() + otherCommunicateSeconds,
                exchange.decodeSeconds(), stepSeconds);
    }

    /** The mean of each field over {@code epochs} (null when there are none). */
    static ExchangeMetrics mean(List<ExchangeMetrics> epochs) {
        if (epochs.isEmpty()) {
            return null;
        }
        double[] sum = new double[8];
        for (ExchangeMetrics e : epochs) {
            double[] f = {e.bytesPerStep, e.messageBytesPerStep, e.compressionRatio, e.computeSeconds,
                e.encodeSeconds, e.communicateSeconds, e.decodeSeconds, e.stepSeconds};
            for (int i = 0; i < sum.length; i++) {
                sum[i] += f[i];
            }
        }
        double n = epochs.size();
        ExchangeMetrics first = epochs.get(0);
        return new ExchangeMetrics(first.workers, first.collective, sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n,
                sum[4] / n, sum[5] / n, sum[6] / n, sum[7] / n);
    }

    /** The fields as CSV, in {@link #CSV_HEADER}'s order. */
    String csvFields() {
        return workers + "," + collective + "," + bytesPerStep + "," + messageBytesPerStep + "," + compressionRatio
                + "," + computeSeconds + "," + encodeSeconds + "," + communicateSeconds + "," + decodeSeconds + ","
                + stepSeconds;
    }

    /** The workers, the time split and the traffic, as the epoch line shows them. */
    String describe() {
        return String.format(Locale.ROOT,
                "%d workers, %s: compute %.2f s, encode %.2f s, communicate %.2f s, decode %.2f s, step %.2f s;"
                        + " %s sent per step and worker, gradient %.2fx smaller than float32",
                workers, collective, computeSeconds, encodeSeconds, communicateSeconds, decodeSeconds, stepSeconds,
                bytes(bytesPerStep), compressionRatio);
    }

    /** A byte count in B, kB, MB or GB (powers of 1000). */
    static String bytes(double bytes) {
        String[] units = {"B", "kB", "MB", "GB"};
        int u = 0;
        double v = bytes;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
