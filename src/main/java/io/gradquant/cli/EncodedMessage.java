package io.gradquant.cli;

import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;

/**
 * The compressed message of one input (docs/wire-format.md) and its size figures, for
 * {@code quantize}'s {@code --encoded-output} and JSON.
 *
 * @param bytes    the message, position 0 to limit
 * @param elements the number of values it holds
 */
record EncodedMessage(ByteBuffer bytes, long elements) {
    /** Float32 bytes per value, what the compression ratio divides by. */
    private static final double FLOAT_BYTES = Float.BYTES;

    /**
     * The message of step 0 of {@code input}, which is left unchanged (the bytes are the same on
     * every backend).
     *
     * @throws IllegalArgumentException if the message could be larger than one buffer holds
     */
    static EncodedMessage encode(Backend backend, QuantizerSpec spec, Segments input) {
        long max = WireFormat.maxEncodedBytes(spec, input.lengths());
        if (max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the message of " + input.totalLength() + " values may take up to " + max
                    + " bytes, more than one buffer holds (2^31 - 1): use a smaller input");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) max);
        backend.encode(spec, 0, input, out, false);
        return new EncodedMessage(out.flip(), input.totalLength());
    }

    /** The message's length in bytes. */
    long encodedBytes() {
        return bytes.remaining();
    }

    /** Message bits per value; null for an empty input. */
    Double bitsPerValue() {
        return elements == 0 ? null : 8.0 * encodedBytes() / elements;
    }

    /** Float32 bytes of the values over message bytes. */
    double compressionRatio() {
        return FLOAT_BYTES * elements / encodedBytes();
    }
}
