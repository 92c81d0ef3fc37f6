package io.gradquant.reference;

import io.gradquant.codec.BucketPoints;

/**
 * One quantizer's per-bucket math, split at the seam of the wire format: {@link #encode} chooses a
 * bucket's points and turns each value into a level index (its code), {@link #decode} turns codes
 * back into values. In-place quantization is decode(encode(x)) ({@link #quantize}), so a message
 * decodes to exactly the floats in-place quantization writes. The caller has already checked that
 * every value is finite and gathered the bucket into {@code x[0..n)}.
 */
interface BucketKernel {
    /**
     * What {@link #encode} made of a bucket.
     *
     * @param points   the bucket's points, or null if the quantizer leaves the bucket unchanged
     * @param variance sum of (x-l)(r-x) over the bucket, l and r the points around x (0 for an
     *                 unchanged bucket); NaN when the bucket was left unchanged because its points
     *                 do not fit in float32 (counted with the non-finite buckets)
     */
    record Encoding(BucketPoints points, double variance) {
        /** Left unchanged, exactly. */
        static final Encoding UNCHANGED = new Encoding(null, 0.0);
        /** Left unchanged because its points cannot be represented in float32. */
        static final Encoding UNREPRESENTABLE = new Encoding(null, Double.NaN);
    }

    /**
     * Value to level index: chooses the bucket's points and writes the code of every value (for
     * hadamard, of every rotated value, padding included) to {@code codes}.
     *
     * @param x           the bucket's values; not changed
     * @param n           number of values in the bucket (x may be longer)
     * @param globalStart flat index of x[0]: the counter of its random bits
     * @param ordinal     number of this bucket among all buckets of the call
     * @param step        the step keying the random stream
     * @param codes       receives the codes, WireFormat.codeCount of them
     */
    Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes);

    /**
     * Level index to value: writes to {@code x[0..n)} what the codes stand for, given the bucket's
     * points.
     *
     * @param globalStart flat index of x[0] (hadamard's random signs)
     * @param step        the step keying the random stream
     */
    void decode(BucketPoints points, int[] codes, float[] x, int n, long globalStart, long step);

    /**
     * In-place quantization of one bucket: decode(encode(x)).
     *
     * @return the variance, NaN if the bucket was left unchanged as unrepresentable
     */
    default double quantize(float[] x, int n, long globalStart, long ordinal, long step) {
        int[] codes = new int[Math.max(1, WalshHadamard.paddedSize(n))];
        Encoding e = encode(x, n, globalStart, ordinal, step, codes);
        if (e.points() != null) {
            decode(e.points(), codes, x, n, globalStart, step);
        }
        return e.variance();
    }
}
