package io.gradquant.bench;

import ai.djl.Device;
import io.gradquant.QuantizerSpec;
import java.nio.ByteBuffer;

/**
 * One backend made ready for timing: a ring of input slots in the backend's own memory (host
 * buffers for java and cpu; device buffers for cuda), each holding pristine gradient-like data and
 * a work copy that quantization overwrites, plus the backend's memory baseline. Every method
 * returns only when the work is finished (a device backend synchronizes), so the caller can time
 * it with a wall clock.
 */
public interface BenchTarget extends AutoCloseable {
    /** The backend's name: java, cpu or cuda. */
    String backend();

    /** Threads (or, for a device, nothing meaningful: 1) the backend quantizes with. */
    int threads();

    /** What the backend runs on beyond the CPU model, e.g. "AVX-512 loops", or "" if nothing. */
    String detail();

    /** One line saying what {@link #copy(int)} measures, for the report. */
    String copyBaseline();

    /** The DJL device whose tensors live where the slots do, for the NDArray race: cpu, or the GPU. */
    Device djlDevice();

    /** Number of slots in the ring. */
    int slots();

    /** Quantizes the work buffer of {@code slot} in place with the random stream of {@code step}. */
    void quantize(QuantizerSpec spec, long step, int slot);

    /**
     * The memory baseline: copies the pristine data of {@code slot} over its work buffer, with the
     * same threads (or device) as quantization. Reads and writes 8 bytes per element, like an
     * in-place quantization. Also leaves the slot restored.
     */
    void copy(int slot);

    /**
     * Encodes the work buffer of {@code slot} (left unchanged) into a message at {@code out}'s
     * position, which advances past it; {@code out} has WireFormat.maxEncodedBytes remaining.
     */
    void encode(QuantizerSpec spec, long step, int slot, ByteBuffer out);

    /** Decodes {@code message} (position to limit) into the work buffer of {@code slot}. */
    void decode(ByteBuffer message, int slot);

    /** Restores the work buffer of {@code slot} to the pristine data, untimed, by any means. */
    void restore(int slot);

    /** Frees the slots. */
    @Override
    void close();
}
