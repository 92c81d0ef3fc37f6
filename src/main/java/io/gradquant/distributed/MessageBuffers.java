package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Buffers for encoded messages, sized for the largest message a spec can give for given segments. */
final class MessageBuffers {
    private MessageBuffers() {
    }

    /** The lengths of the segments, in order. */
    static long[] lengths(Segments x) {
        long[] out = new long[x.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.length(i);
        }
        return out;
    }

    /** A direct, little-endian buffer that holds any message of {@code spec} over segments of these lengths. */
    static ByteBuffer forMessages(QuantizerSpec spec, long[]... lengthsOfEachMessage) {
        long total = 0;
        for (long[] lengths : lengthsOfEachMessage) {
            total = Math.addExact(total, maxBytes(spec, lengths));
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("messages of up to " + total + " bytes do not fit one buffer (at most "
                    + Integer.MAX_VALUE + "): the gradient is too large for one exchange");
        }
        return ByteBuffer.allocateDirect((int) total).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * An upper bound on the message size (docs/wire-format.md, every bucket RAW): header, segment
     * table, at most ceil(N / bucket) + S buckets of R-byte records and one partial code byte each,
     * codes of at most 8 bits per code (hadamard: at most 2 codes per value, its padding), raw
     * values, checksum and padding.
     * TODO(codec): replace by WireFormat.maxEncodedBytes once the codec lands on main.
     */
    static long maxBytes(QuantizerSpec spec, long[] lengths) {
        long n = 0;
        for (long l : lengths) {
            n += l;
        }
        long s = lengths.length;
        long buckets = n / spec.bucketSize() + s + 1;
        long record = switch (spec.type()) {
            case NONE -> 0;
            case STANDARD, HADAMARD -> 9;
            case EXPONENTIAL -> 11;
            case SMART -> 3 + 4L * spec.levels();
        };
        long codes = spec.type() == QuantizerType.NONE ? 0 : 2 * n + buckets;
        return 80 + 8 * s + buckets * record + 8 + codes + 8 + 4 * n + 4;
    }
}
