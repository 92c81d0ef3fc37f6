package io.gradquant.backend;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;

/**
 * gq_none, gq_standard and gq_exponential: a block per bucket at a time, the bucket staged in
 * shared memory when it fits (so global memory is read once), no global scratch.
 */
final class BucketPassLauncher implements KernelFamily {
    @Override
    public LaunchShape shape(QuantizerSpec spec, long buckets, int largestBucket, int multiprocessors, int onChipLimit) {
        int threads = LaunchShape.threadsFor(largestBucket);
        // gq_none only reads: nothing to stage
        int onChip = spec.type() == QuantizerType.NONE ? 0 : Math.min(onChipLimit, largestBucket);
        return new LaunchShape(CudaKernel.of(spec.type()), threads,
                LaunchShape.gridFor(buckets, threads, multiprocessors, 0), onChip, onChip * Float.BYTES, 0, 0);
    }
}
