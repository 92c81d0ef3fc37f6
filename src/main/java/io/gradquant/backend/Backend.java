package io.gradquant.backend;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.codec.Encoded;
import java.nio.ByteBuffer;

/**
 * One implementation of the quantizers: {@code java} (reference), {@code cpu} (native, JNI) or
 * {@code cuda}. All backends give the same output for the same spec, step and input, and write the
 * same message bytes (docs/wire-format.md) for it.
 */
public interface Backend extends AutoCloseable {
    /** The backend's name as used on the command line: java, cpu or cuda. */
    String name();

    /**
     * Quantizes all segments in place, as buckets over their flat concatenation (or per segment,
     * as the spec's layout says), with the random stream keyed by (spec.seed(), step).
     *
     * @return the call's statistics
     * @throws IllegalArgumentException if a segment cannot be used by this backend; thrown before
     *         any value is written
     */
    QuantStats quantize(QuantizerSpec spec, long step, Segments segments);

    /**
     * Quantizes the segments as {@link #quantize} would and writes the compressed message
     * (docs/wire-format.md) at {@code out}'s position, advancing it by the message's length. The
     * message's bytes are the same on every backend.
     *
     * @param out       receives the message; needs at least
     *                  {@code WireFormat.maxEncodedBytes(spec, lengths)} bytes remaining
     * @param writeBack also write Q(x) back into the segments (what in-place quantize writes), for
     *                  error feedback; otherwise the segments are left unchanged
     * @throws IllegalArgumentException before anything is written, if {@code out} is too small or a
     *         segment cannot be used by this backend
     */
    Encoded encode(QuantizerSpec spec, long step, Segments segments, ByteBuffer out, boolean writeBack);

    /**
     * Overwrites {@code destination} with the values the message holds: bit for bit what in-place
     * quantize wrote for the same spec, seed, step and input. The message is the bytes from
     * {@code message}'s position to its limit; the buffer's position is not changed.
     *
     * @throws io.gradquant.codec.MessageException naming the field, before anything is written, if
     *         the message is corrupt or inconsistent or its segment lengths differ from the
     *         destination's
     */
    void decode(ByteBuffer message, Segments destination);

    /**
     * Adds {@code weight * Q(x)} to {@code destination}, per element {@code d = d + weight * q} in
     * float32 (product rounded, then sum rounded): the building block of averaging several workers'
     * messages. Checks as {@link #decode}.
     */
    void decodeAdd(ByteBuffer message, Segments destination, float weight);

    /** Releases what the backend keeps between calls (threads, device memory). Idempotent. */
    @Override
    default void close() {
    }
}
