package io.gradquant;

import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.Backend;
import io.gradquant.codec.Encoded;
import java.nio.ByteBuffer;

/**
 * A {@link QuantizerSpec} bound to a {@link Backend}, with the step counter that keys the random
 * stream: {@link #quantize(Segments)} uses the current step and then advances it, so successive
 * calls draw fresh randomness and a run with the same seed repeats exactly.
 */
public final class Quantizer {
    private final QuantizerSpec spec;
    private final Backend backend;
    private long step;

    /** A quantizer of {@code spec} on {@code backend}, starting at step 0. */
    public Quantizer(QuantizerSpec spec, Backend backend) {
        this.spec = spec;
        this.backend = backend;
    }

    /** The spec every call uses. */
    public QuantizerSpec spec() {
        return spec;
    }

    /** The backend every call runs on. */
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

    /**
     * Quantizes raw float32 memory in place with the current step, then advances the step: segment
     * i is {@code lengths[i]} floats at {@code addresses[i]}, in memory of the backend's
     * {@link AddressBackend#memory() kind}.
     *
     * @throws IllegalStateException if the backend cannot take addresses
     */
    public QuantStats quantizeAddresses(long[] addresses, long[] lengths) {
        if (!(backend instanceof AddressBackend addressed)) {
            throw new IllegalStateException("backend " + backend.name() + " quantizes Java buffers only, not raw"
                    + " memory addresses: use the cpu backend (host memory) or the cuda backend (GPU memory)");
        }
        QuantStats stats = addressed.quantizeAddresses(spec, step, addresses, lengths);
        step++;
        return stats;
    }

    /**
     * Writes the compressed message of the current step at {@code out}'s position (see
     * {@link Backend#encode}), then advances the step.
     */
    public Encoded encode(Segments segments, ByteBuffer out, boolean writeBack) {
        Encoded encoded = backend.encode(spec, step, segments, out, writeBack);
        step++;
        return encoded;
    }

    /** Quantizes in place with an explicit step; the counter is not changed. */
    public QuantStats quantize(Segments segments, long step) {
        return backend.quantize(spec, step, segments);
    }
}
