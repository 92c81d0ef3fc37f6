package io.gradquant.backend;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;

/**
 * The bucket plan of one call from segment lengths alone (device segments have no Java buffer):
 * the same plan as {@link BucketPlan}, in the form the kernels read it.
 *
 * @param offsets       flat index of each segment's first element, then the total (count + 1)
 * @param firstBucket   per-segment layout: each segment's first bucket, then the count (count + 1);
 *                      null for buckets spanning segments
 * @param buckets       buckets in the call
 * @param largestBucket length of the longest bucket (0 if there are none)
 */
record CallGeometry(long[] offsets, long[] firstBucket, long buckets, int largestBucket) {
    static CallGeometry of(QuantizerSpec spec, long[] lengths) {
        int bucket = spec.bucketSize();
        long[] offsets = new long[lengths.length + 1];
        long longest = 0;
        for (int s = 0; s < lengths.length; s++) {
            offsets[s + 1] = offsets[s] + lengths[s];
            longest = Math.max(longest, lengths[s]);
        }
        long total = offsets[lengths.length];
        if (spec.layout() == BucketLayout.SPANNING) {
            return new CallGeometry(offsets, null, ceilDiv(total, bucket), (int) Math.min(bucket, total));
        }
        long[] first = new long[lengths.length + 1];
        for (int s = 0; s < lengths.length; s++) {
            first[s + 1] = first[s] + ceilDiv(lengths[s], bucket);
        }
        return new CallGeometry(offsets, first, first[lengths.length], (int) Math.min(bucket, longest));
    }

    long total() {
        return offsets[offsets.length - 1];
    }

    int segments() {
        return offsets.length - 1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
