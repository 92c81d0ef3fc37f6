package io.gradquant.backend;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import java.util.function.LongUnaryOperator;

/**
 * Where each bucket of a call starts and how long it is, for either layout, over segments of given
 * lengths. Bucket ordinals count over the whole call; element indices are flat indices over all
 * segments. Every figure is computed in O(segments), never per bucket, so a plan of a message
 * claiming 2^62 elements costs no more than one of ten.
 */
public final class BucketPlan {
    private final int bucketSize;
    /** Flat index of the start of each segment, and the total at the end (length count+1). */
    private final long[] offsets;
    /** PER_SEGMENT only: first bucket ordinal of each segment (length count+1), else null. */
    private final long[] firstBucket;

    private BucketPlan(int bucketSize, long[] offsets, long[] firstBucket) {
        this.bucketSize = bucketSize;
        this.offsets = offsets;
        this.firstBucket = firstBucket;
    }

    /** The plan of {@code spec}'s layout over {@code segments}. */
    public static BucketPlan of(QuantizerSpec spec, Segments segments) {
        return of(spec.layout(), spec.bucketSize(), segments.lengths());
    }

    /**
     * The plan of {@code layout} with buckets of {@code bucketSize} over segments of {@code lengths}.
     *
     * @throws IllegalArgumentException if the bucket size is below 1, a length is negative or the
     *         lengths add up to more than {@link Long#MAX_VALUE}
     */
    public static BucketPlan of(BucketLayout layout, int bucketSize, long[] lengths) {
        if (bucketSize < 1) {
            throw new IllegalArgumentException("bucket size " + bucketSize + " is not allowed: it must be >= 1");
        }
        long[] offsets = new long[lengths.length + 1];
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] < 0) {
                throw new IllegalArgumentException("segment " + s + " has length " + lengths[s] + ": it must be >= 0");
            }
            try {
                offsets[s + 1] = Math.addExact(offsets[s], lengths[s]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("segment lengths add up to more than " + Long.MAX_VALUE, e);
            }
        }
        if (layout == BucketLayout.SPANNING) {
            return new BucketPlan(bucketSize, offsets, null);
        }
        long[] first = new long[lengths.length + 1];
        for (int s = 0; s < lengths.length; s++) {
            first[s + 1] = first[s] + ceilDiv(lengths[s], bucketSize);
        }
        return new BucketPlan(bucketSize, offsets, first);
    }

    /** Number of buckets. */
    public long buckets() {
        return firstBucket == null ? ceilDiv(total(), bucketSize) : firstBucket[firstBucket.length - 1];
    }

    /** Number of elements over all segments. */
    public long total() {
        return offsets[offsets.length - 1];
    }

    /** Flat index of the first element of bucket {@code b}. */
    public long start(long b) {
        if (firstBucket == null) {
            return b * bucketSize;
        }
        int s = segmentOfBucket(b);
        return offsets[s] + (b - firstBucket[s]) * bucketSize;
    }

    /** Number of elements in bucket {@code b}. */
    public int length(long b) {
        long end = firstBucket == null ? total() : offsets[segmentOfBucket(b) + 1];
        return (int) Math.min(bucketSize, end - start(b));
    }

    /**
     * The sum over all buckets of {@code perBucket(length of the bucket)}, in O(segments): each run
     * of buckets (all of them, or one segment's) is full buckets and at most one shorter last one.
     *
     * @throws ArithmeticException if the sum overflows a long
     */
    public long sum(LongUnaryOperator perBucket) {
        if (firstBucket == null) {
            return runSum(total(), perBucket);
        }
        long sum = 0;
        for (int s = 0; s + 1 < offsets.length; s++) {
            sum = Math.addExact(sum, runSum(offsets[s + 1] - offsets[s], perBucket));
        }
        return sum;
    }

    /**
     * PER_SEGMENT: the sum over segment {@code s}'s buckets of {@code perBucket(length of the
     * bucket)}. SPANNING: the sum over all buckets.
     *
     * @throws ArithmeticException if the sum overflows a long
     */
    public long segmentSum(int s, LongUnaryOperator perBucket) {
        return firstBucket == null ? runSum(total(), perBucket) : runSum(offsets[s + 1] - offsets[s], perBucket);
    }

    private long runSum(long elements, LongUnaryOperator perBucket) {
        long full = elements / bucketSize;
        long rest = elements % bucketSize;
        long sum = full == 0 ? 0 : Math.multiplyExact(full, perBucket.applyAsLong(bucketSize));
        return rest == 0 ? sum : Math.addExact(sum, perBucket.applyAsLong(rest));
    }

    /**
     * PER_SEGMENT: the ordinal of segment {@code s}'s first bucket. SPANNING, where buckets run over
     * all segments as if they were one: 0.
     */
    public long firstBucket(int s) {
        return firstBucket == null ? 0 : firstBucket[s];
    }

    /**
     * PER_SEGMENT: the segment holding bucket {@code b}, {@code 0 <= b < buckets()}. SPANNING: 0.
     * Every bucket from {@code firstBucket(segmentOfBucket(b))} up to b, b excluded, is full.
     */
    public int segmentOfBucket(long b) {
        if (firstBucket == null) {
            return 0;
        }
        int lo = 0;
        int hi = firstBucket.length - 2;
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
        return a / b + (a % b == 0 ? 0 : 1);
    }
}
