package io.gradquant.train;

import io.gradquant.QuantStats;

/**
 * Quantization totals over a number of training steps, for reports per epoch or per run.
 *
 * @param steps                  steps quantized
 * @param seconds                wall time spent in the listener: gathering gradient views plus quantizing
 * @param variance               sum over steps of {@link QuantStats#variance()}
 * @param normalizedVariance     sum over steps of {@link QuantStats#normalizedVariance()}
 * @param nonFiniteBuckets       sum over steps of buckets left unchanged because they held NaN or Inf
 */
public record QuantTotals(long steps, double seconds, double variance, double normalizedVariance,
        long nonFiniteBuckets) {
    /** No steps. */
    public static final QuantTotals EMPTY = new QuantTotals(0, 0.0, 0.0, 0.0, 0);

    /** These totals plus one step that took {@code stepSeconds} and produced {@code stats}. */
    public QuantTotals plus(double stepSeconds, QuantStats stats) {
        return new QuantTotals(steps + 1, seconds + stepSeconds, variance + stats.variance(),
                normalizedVariance + stats.normalizedVariance(), nonFiniteBuckets + stats.nonFiniteBuckets());
    }

    /** Mean variance per step; 0 with no steps. */
    public double averageVariance() {
        return steps == 0 ? 0.0 : variance / steps;
    }

    /** Mean normalised variance per step; 0 with no steps. */
    public double averageNormalizedVariance() {
        return steps == 0 ? 0.0 : normalizedVariance / steps;
    }
}
