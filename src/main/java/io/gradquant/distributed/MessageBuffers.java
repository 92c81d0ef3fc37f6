package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Buffers for encoded messages, sized for the largest message a spec can give for given segments. */
final class MessageBuffers {
    private MessageBuffers() {
    }

    /** A direct, little-endian buffer that holds any message of {@code spec} over segments of these lengths. */
    static ByteBuffer forMessages(QuantizerSpec spec, long[]... lengthsOfEachMessage) {
        long total = 0;
        for (long[] lengths : lengthsOfEachMessage) {
            total = Math.addExact(total, WireFormat.maxEncodedBytes(spec, lengths));
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("messages of up to " + total + " bytes do not fit one buffer (at most "
                    + Integer.MAX_VALUE + "): the gradient is too large for one exchange");
        }
        return ByteBuffer.allocateDirect((int) total).order(ByteOrder.LITTLE_ENDIAN);
    }
}
