package io.gradquant;

/**
 * Statistics of one quantization call, computed in the same pass as the rounding.
 *
 * @param variance          sum over elements of (x-l)(r-x), l and r the points the element is rounded
 *                          between, in the domain where rounding happens (rotated domain for hadamard,
 *                          including its zero padding): the expected squared error of the call
 * @param normSquared       squared L2 norm of the input over the buckets that were quantized
 * @param buckets           number of buckets
 * @param nonFiniteBuckets  buckets left unchanged because they held NaN or Inf (or, for hadamard and
 *                          exponential, because their points would overflow float32)
 */
public record QuantStats(double variance, double normSquared, long buckets, long nonFiniteBuckets) {
    /** Variance divided by the squared norm; 0 when the norm is 0. */
    public double normalizedVariance() {
        return normSquared == 0.0 ? 0.0 : variance / normSquared;
    }
}
