package io.gradquant.bench;

import io.gradquant.QuantizerSpec;
import java.util.List;

/**
 * What {@link BenchRunner} measures.
 *
 * @param backend    auto, java, cpu or cuda
 * @param elements   values per input, 1 to {@link #MAX_ELEMENTS}
 * @param threads    cpu threads, 0 for all hardware threads
 * @param specs      the quantizers to time, in report order, at least one; they differ only in type
 * @param repeats    timed rounds; each quantizer's figure is the median over them
 * @param warmup     untimed rounds first (JIT, page faults, thread pools, PyTorch's allocator)
 * @param djlOps     whether to race the DJL NDArray compositions
 * @param seed       seed of the inputs and of the rounds' order
 * @param smallElements values of the small input the quantizers run on too (0: none; only run when
 *                   smaller than {@code elements})
 */
public record BenchConfig(String backend, int elements, int threads, List<QuantizerSpec> specs, int repeats,
        int warmup, boolean djlOps, long seed, int smallElements) {
    /** Largest input: 2^28 values, 1 GiB per buffer (the ring holds at least six buffers). */
    public static final int MAX_ELEMENTS = 1 << 28;
    /** The default small input: the gradient of ResNet-20, one training step's quantization call. */
    public static final int RESNET20_ELEMENTS = 272_474;

    public BenchConfig {
        specs = List.copyOf(specs);
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no quantizer to time");
        }
    }

    /** The bucket size of every spec. */
    public int bucketSize() {
        return specs.get(0).bucketSize();
    }

    /** The levels of every spec. */
    public int levels() {
        return specs.get(0).levels();
    }
}
