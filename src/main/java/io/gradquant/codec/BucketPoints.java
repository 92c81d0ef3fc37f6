package io.gradquant.codec;

/**
 * The points of one QUANTIZED bucket, as its record in a message holds them (docs/wire-format.md,
 * "Buckets"): what a code of the bucket decodes against.
 */
public sealed interface BucketPoints {
    /**
     * standard and hadamard: {@code levels} evenly spaced points from lo to hi.
     *
     * @param lo the lowest point (the bucket's minimum, -0 replaced by +0), finite
     * @param hi the highest point (the maximum, -0 replaced by +0), finite, > lo
     */
    record Grid(float lo, float hi) implements BucketPoints {
    }

    /**
     * smart: the chosen points.
     *
     * @param points 2 to levels finite points, strictly ascending, no -0 (owned by the record: not copied)
     */
    record Sorted(float[] points) implements BucketPoints {
    }

    /**
     * exponential: zero and the powers of two 2^(top-K+1) .. 2^top (K = levels/2 - 1), times the norm.
     *
     * @param norm the bucket's L2 or max norm, finite, > 0
     * @param top  the exponent of the largest point relative to the norm, -32 to 0
     */
    record Powers(double norm, int top) implements BucketPoints {
    }
}
