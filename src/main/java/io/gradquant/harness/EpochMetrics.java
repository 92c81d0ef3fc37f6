package io.gradquant.harness;

/**
 * One epoch of one run.
 *
 * @param epoch                 epoch number, from 1
 * @param learningRate          the learning rate the epoch trained with
 * @param steps                 optimizer steps taken
 * @param trainLoss             mean training loss over the epoch's batches
 * @param testAccuracy          fraction of the test set classified correctly after the epoch
 * @param epochSeconds          wall time of the epoch's training steps (data, forward, backward,
 *                              quantization, optimizer step), without the test evaluation
 * @param quantizationSeconds   the part of {@code epochSeconds} spent quantizing gradients
 * @param avgVariance           mean over the epoch's steps of the quantization variance of the
 *                              gradient that was applied
 * @param avgNormalizedVariance the same, normalised by the squared gradient norm
 * @param exchange              data-parallel runs: the traffic and the split of {@code epochSeconds};
 *                              null for a single process
 */
public record EpochMetrics(int epoch, double learningRate, long steps, double trainLoss, double testAccuracy,
        double epochSeconds, double quantizationSeconds, double avgVariance, double avgNormalizedVariance,
        ExchangeMetrics exchange) {
    /** A single process's epoch. */
    public EpochMetrics(int epoch, double learningRate, long steps, double trainLoss, double testAccuracy,
            double epochSeconds, double quantizationSeconds, double avgVariance, double avgNormalizedVariance) {
        this(epoch, learningRate, steps, trainLoss, testAccuracy, epochSeconds, quantizationSeconds, avgVariance,
                avgNormalizedVariance, null);
    }

    /** CSV header matching {@link #csvFields()}. */
    static final String CSV_HEADER = "epoch,learning_rate,steps,train_loss,test_accuracy,epoch_seconds,"
            + "quantization_seconds,avg_variance,avg_normalized_variance";

    /** The fields as CSV, in {@link #CSV_HEADER}'s order, then the exchange's if there is one. */
    String csvFields() {
        return epoch + "," + learningRate + "," + steps + "," + trainLoss + "," + testAccuracy + "," + epochSeconds
                + "," + quantizationSeconds + "," + avgVariance + "," + avgNormalizedVariance
                + (exchange == null ? "" : "," + exchange.csvFields());
    }
}
