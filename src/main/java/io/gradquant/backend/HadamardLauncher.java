package io.gradquant.backend;

import io.gradquant.QuantizerSpec;

/**
 * gq_hadamard: the bucket padded to a power of two P is transformed in shared memory when P fits
 * in the on-chip limit; beyond, each block keeps it in P floats of global scratch and transforms
 * it in shared-memory chunks (the largest power of two within the limit) plus global stages.
 */
final class HadamardLauncher implements KernelFamily {
    @Override
    public LaunchShape shape(QuantizerSpec spec, long buckets, int largestBucket, int multiprocessors, int onChipLimit) {
        long padded = LaunchShape.ceilPow2(largestBucket);
        int chunk = LaunchShape.floorPow2(Math.max(2, onChipLimit));
        int onChip = (int) Math.min(padded, chunk);
        long scratch = padded > chunk ? padded * Float.BYTES : 0;
        int threads = LaunchShape.threadsFor(padded);
        return new LaunchShape(CudaKernel.HADAMARD, threads, LaunchShape.gridFor(buckets, threads, multiprocessors, scratch),
                onChip, onChip * Float.BYTES, scratch, 0);
    }
}
