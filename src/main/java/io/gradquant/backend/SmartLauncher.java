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
     * smart_scratch(): doubles weight, y, best, next (m each) and w0, w1, w2 (m + 1 each); floats:
     * the sample (ceilPow2(m)) and the distinct values (m); ints: the level search's choices
     * (levels * m).
     */
    static long scratchBytes(int m, int levels) {
        return 8L * (7L * m + 3) + 4L * LaunchShape.ceilPow2(m) + 4L * m + 4L * levels * m;
    }

    private static long align(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
