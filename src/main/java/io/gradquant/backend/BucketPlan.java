package io.gradquant.backend;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;

/**
 * Where each bucket of a call starts and how long it is, for either layout. Bucket ordinals count
 * over the whole call; element indices are flat indices over all segments.
 */
public final class BucketPlan {
    private final int bucketSize;
    private final long total;
    /** PER_SEGMENT only: first bucket ordinal of each segment (length count+1), else null. */
    private final long[] firstBucket;
    private final Segments segments;

    private BucketPlan(int bucketSize, Segments segments, long[] firstBucket) {
        this.bucketSize = bucketSize;
        this.total = segments.totalLength();
        this.firstBucket = firstBucket;
        this.segments = segments;
    }

    /** The plan of {@code spec}'s layout over {@code segments}. */
    public static BucketPlan of(QuantizerSpec spec, Segments segments) {
        if (spec.layout() == BucketLayout.SPANNING) {
            return new BucketPlan(spec.bucketSize(), segments, null);
        }
        long[] first = new long[segments.count() + 1];
        for (int s = 0; s < segments.count(); s++) {
            first[s + 1] = first[s] + ceilDiv(segments.length(s), spec.bucketSize());
        }
        return new BucketPlan(spec.bucketSize(), segments, first);
    }

    /** Number of buckets. */
    public long buckets() {
        return firstBucket == null ? ceilDiv(total, bucketSize) : firstBucket[firstBucket.length - 1];
    }

    /** Flat index of the first element of bucket {@code b}. */
    public long start(long b) {
        if (firstBucket == null) {
            return b * bucketSize;
        }
        int s = segmentOfBucket(b);
        return segments.offset(s) + (b - firstBucket[s]) * bucketSize;
    }

    /** Number of elements in bucket {@code b}. */
    public int length(long b) {
        long end = firstBucket == null ? total : segments.offset(segmentOfBucket(b) + 1);
        return (int) Math.min(bucketSize, end - start(b));
    }

    private int segmentOfBucket(long b) {
        int lo = 0;
        int hi = segments.count() - 1;
        while (lo < hi) { // last segment s with firstBucket[s] <= b
            int mid = (lo + hi + 1) >>> 1;
            if (firstBucket[mid] <= b) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
