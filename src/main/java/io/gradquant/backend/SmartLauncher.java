package io.gradquant.backend;

import io.gradquant.QuantizerSpec;

/**
 * gq_smart: the bucket in shared memory when it fits; per block, global scratch for the sample
 * (padded to a power of two for the bitonic sort) and the level search's arrays. The layout is
 * smart_scratch() in cuda/gq_smart.cu; the kernel refuses a scratch smaller than it needs.
 */
final class SmartLauncher implements KernelFamily {
    @Override
    public LaunchShape shape(QuantizerSpec spec, long buckets, int largestBucket, int multiprocessors, int onChipLimit) {
        int maxSample = spec.smartSampleSize(largestBucket) + 2; // + the bucket's min and max
        long scratch = align(scratchBytes(maxSample, spec.levels()), 256);
        int threads = LaunchShape.threadsFor(largestBucket);
        int onChip = Math.min(onChipLimit, largestBucket);
        return new LaunchShape(CudaKernel.SMART, threads, LaunchShape.gridFor(buckets, threads, multiprocessors, scratch),
                onChip, onChip * Float.BYTES, scratch, maxSample);
    }

    /**
     * smart_scratch(): doubles weight, y, best, next (m each), w0, w1, w2 (m + 1 each), the
     * programmes' candidate rows (8 m) and the gap metrics (m); floats: the sample (ceilPow2(m))
     * and the distinct values (m); ints: the choices (levels * m), list, fine, order, order_b (m
     * each), window (2 levels), slot (levels), points (2 levels); then two arrays of 2 ceilPow2(m)
     * divide-and-conquer nodes of four ints.
     */
    static long scratchBytes(int m, int levels) {
        long p = LaunchShape.ceilPow2(m);
        return 8L * (16L * m + 3) + 4L * (p + m) + 4L * ((long) levels * m + 4L * m + 5L * levels) + 2L * 2L * p * 16L;
    }

    private static long align(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
