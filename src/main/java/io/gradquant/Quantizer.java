package io.gradquant;

import io.gradquant.backend.Backend;

/**
 * A {@link QuantizerSpec} bound to a {@link Backend}, with the step counter that keys the random
 * stream: {@link #quantize(Segments)} uses the current step and then advances it, so successive
 * calls draw fresh randomness and a run with the same seed repeats exactly.
 */
public final class Quantizer {
    private final QuantizerSpec spec;
    private final Backend backend;
    private long step;

    public Quantizer(QuantizerSpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
    }

    public QuantizerSpec spec() {
        return spec;
    }

    public Backend backend() {
        return backend;
    }

    /** The step the next {@link #quantize(Segments)} call will use. */
    public long nextStep() {
        return step;
    }

    /** Quantizes in place with the current step, then advances the step. */
    public QuantStats quantize(Segments segments) {
        QuantStats stats = backend.quantize(spec, step, segments);
        step++;
        return stats;
    }

    /** Quantizes in place with an explicit step; the counter is not changed. */
    public QuantStats quantize(Segments segments, long step) {
        return backend.quantize(spec, step, segments);
    }
}
