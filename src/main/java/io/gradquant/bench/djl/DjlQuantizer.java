package io.gradquant.bench.djl;

import ai.djl.ndarray.NDArray;
import io.gradquant.QuantizerType;

/**
 * A quantizer written as a composition of DJL NDArray operations: what a DJL user would write
 * without this library. The benchmark races it against the backends, so it must do the same
 * job: bucket by bucket, unbiased stochastic rounding onto the same points, same variance (the
 * tests check this statistically; the random streams differ, PyTorch's generator instead of
 * Philox).
 */
public interface DjlQuantizer {
    /** The quantizer this composition does the job of. */
    QuantizerType type();

    /**
     * Quantizes the flat float32 array {@code x} in buckets of {@code bucketSize} (the last one may
     * be partial) to {@code levels} levels. Returns a new flat array of x's length; x is not
     * changed. Intermediates are created on x's manager: run it inside a sub-manager to free them.
     */
    NDArray quantize(NDArray x, int bucketSize, int levels);
}
