package io.gradquant.reference;

/**
 * Quantizes one bucket of finite values in place. The caller has already checked that every value
 * is finite, gathered the bucket into {@code x[0..n)} and will write it back.
 */
interface BucketKernel {
    /** Returned when the bucket cannot be quantized in float32 and was left unchanged. */
    double UNREPRESENTABLE = Double.NaN;

    /**
     * @param x           the bucket's values, replaced by their quantized values
     * @param n           number of values in the bucket (x may be longer)
     * @param globalStart flat index of x[0]: the counter of its random bits
     * @param ordinal     number of this bucket among all buckets of the call
     * @param step        the step keying the random stream
     * @return the bucket's variance, sum of (x-l)(r-x), or {@link #UNREPRESENTABLE}
     */
    double quantize(float[] x, int n, long globalStart, long ordinal, long step);
}
