package io.gradquant.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Cutting a flat array into a (buckets, bucketSize) matrix and back. NDArray operations reduce
 * over whole rows, so the last partial bucket is padded to a full row with values that do not
 * change its result, and the padding is dropped afterwards.
 */
final class DjlBuckets {
    private DjlBuckets() {
    }

    /** Padding that leaves a bucket's result unchanged. */
    enum Pad {
        /** Copies of the last value: min and max stay the same (standard). */
        REPEAT_LAST,
        /** Zeros: the norm and max |x| stay the same (exponential), as does a zero-padded rotation (hadamard). */
        ZEROS
    }

    /** Buckets of a flat array of {@code n} values. */
    static long buckets(long n, int bucketSize) {
        return (n + bucketSize - 1) / bucketSize;
    }

    /** {@code flat} as a (buckets, bucketSize) matrix, the last row padded as {@code pad} says. */
    static NDArray rows(NDArray flat, int bucketSize, Pad pad) {
        long n = flat.size();
        long rows = buckets(n, bucketSize);
        long missing = rows * bucketSize - n;
        NDArray full = flat;
        if (missing > 0) {
            NDArray filler = pad == Pad.ZEROS
                    ? flat.getManager().zeros(new Shape(missing), flat.getDataType())
                    : flat.get(n - 1).broadcast(new Shape(missing));
            full = flat.concat(filler);
        }
        return full.reshape(rows, bucketSize);
    }

    /** The first {@code n} values of a (buckets, bucketSize) matrix, flat. */
    static NDArray flat(NDArray rows, long n) {
        NDArray all = rows.reshape(-1);
        return all.size() == n ? all : all.get(new NDIndex(":{}", n));
    }
}
