package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import java.util.function.Function;

/**
 * Makes the quantizers of a train or compare invocation: one spec per type, all sharing the
 * invocation's settings (bucket size, levels, norm, layout, seed, ...), and a new quantizer per
 * run so that every run's step counter starts at 0.
 *
 * @param specs   the spec of each type, as the command line's options give it
 * @param backend the backend that quantizes
 */
public record QuantizerFactory(Function<QuantizerType, QuantizerSpec> specs, Backend backend) {
    /** The spec of {@code type}. */
    public QuantizerSpec spec(QuantizerType type) {
        return specs.apply(type);
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
