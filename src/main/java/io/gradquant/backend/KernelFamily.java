package io.gradquant.backend;

import io.gradquant.QuantizerSpec;

/** The host side of one family of kernels: how to launch it for a call. */
interface KernelFamily {
    /**
     * @param spec             the quantizer
     * @param buckets          buckets in the call (>= 1)
     * @param largestBucket    length of the longest bucket
     * @param multiprocessors  of the device
     * @param onChipLimit      most floats a block may keep in shared memory
     */
    LaunchShape shape(QuantizerSpec spec, long buckets, int largestBucket, int multiprocessors, int onChipLimit);

    /** The family that runs {@code spec}'s quantizer. */
    static KernelFamily of(QuantizerSpec spec) {
        return switch (spec.type()) {
            case NONE, STANDARD, EXPONENTIAL -> new BucketPassLauncher();
            case HADAMARD -> new HadamardLauncher();
            case SMART -> new SmartLauncher();
        };
    }
}
