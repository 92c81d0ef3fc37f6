package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;

/**
 * Makes quantizers that share bucket size, levels, smart fraction, seed and backend; a new one per
 * run so that every run's step counter starts at 0.
 *
 * @param bucketSize    values per bucket
 * @param levels        quantization levels
 * @param smartFraction smart's sample fraction
 * @param seed          seed of the random streams
 * @param backend       the backend that quantizes
 */
public record QuantizerFactory(int bucketSize, int levels, double smartFraction, long seed, Backend backend) {
    /** The spec of {@code type} with these settings (validates them). */
    public QuantizerSpec spec(QuantizerType type) {
        return QuantizerSpec.builder(type).bucketSize(bucketSize).levels(levels).smartFraction(smartFraction)
                .seed(seed).build();
    }

    /** A new quantizer of {@code type} on {@code backend}, step 0. */
    public Quantizer create(QuantizerType type, Backend on) {
        return new Quantizer(spec(type), on);
    }

    /** A new quantizer of {@code type} on this factory's backend, step 0. */
    public Quantizer create(QuantizerType type) {
        return create(type, backend);
    }
}
