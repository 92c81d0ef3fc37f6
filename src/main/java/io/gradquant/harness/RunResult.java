package io.gradquant.harness;

import java.util.List;

/**
 * All epochs of one quantizer's training run.
 *
 * @param quantizer the quantizer's name
 * @param epochs    the epochs, in order
 * @param ranks     data-parallel runs: each rank's checksum of its final parameters, in rank order;
 *                  empty for a single process
 */
public record RunResult(String quantizer, List<EpochMetrics> epochs, List<RankChecksum> ranks) {
    public RunResult {
        epochs = List.copyOf(epochs);
        ranks = List.copyOf(ranks);
    }

    /** A single process's run. */
    public RunResult(String quantizer, List<EpochMetrics> epochs) {
        this(quantizer, epochs, List.of());
    }

    /** Data-parallel runs: the mean over the epochs of their exchange metrics; null for a single process. */
    public ExchangeMetrics meanExchange() {
        return ExchangeMetrics.mean(epochs.stream().map(EpochMetrics::exchange).filter(e -> e != null).toList());
    }

    /** Test accuracy after the last epoch (NaN with no epoch). */
    public double finalTestAccuracy() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).testAccuracy();
    }

    /** Mean wall time per epoch. */
    public double meanEpochSeconds() {
        return epochs.stream().mapToDouble(EpochMetrics::epochSeconds).average().orElse(Double.NaN);
    }

    /** Mean quantization time per epoch. */
    public double meanQuantizationSeconds() {
        return epochs.stream().mapToDouble(EpochMetrics::quantizationSeconds).average().orElse(Double.NaN);
    }

    /** Mean over all training steps of the applied gradients' quantization variance. */
    public double meanVariance() {
        return stepWeighted(true);
    }

    /** Mean over all training steps of the normalised variance. */
    public double meanNormalizedVariance() {
        return stepWeighted(false);
    }

    private double stepWeighted(boolean raw) {
        double sum = 0;
        long steps = 0;
        for (EpochMetrics e : epochs) {
            sum += (raw ? e.avgVariance() : e.avgNormalizedVariance()) * e.steps();
            steps += e.steps();
        }
        return steps == 0 ? Double.NaN : sum / steps;
    }
}
