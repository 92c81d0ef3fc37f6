package io.gradquant.codec;

import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.backend.Backend;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The decoder fuzz target, for any backend. An input is one of two kinds (its first byte, even or
 * odd):
 * <ul>
 * <li>raw: the rest is the message, decoded as it is;</li>
 * <li>mutation (structure-aware): byte 1 picks a valid base message of {@link BadMessages#BASES},
 *     byte 2's low bit says whether to leave the checksum stale, and the rest is a list of changes
 *     {@code [part][position u16][count 1-8][count bytes]}, each writing bytes into one part of the
 *     message (header, segment table, records, codes, raw values, anywhere) or, part 6, cutting or
 *     extending it. By default the checksum is recomputed, so the change reaches the checks past it.</li>
 * </ul>
 * The destination has the segment lengths the (changed) message claims, when they are plausible,
 * so that the decoder gets past the destination check. The oracle: decode either succeeds, or
 * throws {@link MessageException} naming a field and leaves the destination untouched; anything
 * else (an index out of bounds, an allocation from a claimed size, a different exception) is a
 * finding. After a successful decode, decodeAdd with weight 1 onto zeros must give q + 0.
 */
public final class DecoderFuzzing {
    /** Largest destination the target allocates, in values. */
    static final int MAX_DESTINATION = 1 << 20;
    /** Number of parts a change can target (the last cuts or extends the message). */
    static final int PARTS = 7;

    private DecoderFuzzing() {
    }

    /** Runs one input against {@code backend}; throws on a finding. */
    public static void fuzz(Backend backend, byte[] input) {
        byte[] message = message(input);
        Segments destination = destination(message, input);
        int[] before = bits(destination);
        // the message starts at position 3 of a larger buffer: decoders read from position to limit
        ByteBuffer buffer = ByteBuffer.allocate(message.length + 5).position(3);
        buffer.put(message).flip().position(3);
        try {
            backend.decode(buffer, destination);
        } catch (MessageException e) {
            if (e.field() == null || e.field().isBlank() || e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a MessageException must name the field and say what is wrong", e);
            }
            if (!Arrays.equals(before, bits(destination))) {
                throw new AssertionError("decode wrote to the destination before refusing: " + e.getMessage(), e);
            }
            return;
        }
        if (buffer.position() != 3) {
            throw new AssertionError("decode moved the message's position");
        }
        float[] q = TestData.flatten(destination);
        Segments zeros = TestData.directSegments(new float[q.length],
                Arrays.stream(destination.lengths()).mapToInt(l -> (int) l).toArray());
        backend.decodeAdd(buffer, zeros, 1.0f);
        float[] sum = TestData.flatten(zeros);
        for (int i = 0; i < q.length; i++) {
            if (Float.floatToRawIntBits(sum[i]) != Float.floatToRawIntBits(0.0f + q[i])) {
                throw new AssertionError("decodeAdd(1) onto zeros gave " + sum[i] + " at " + i + ", decode " + q[i]);
            }
        }
    }

    /** The message an input stands for. */
    static byte[] message(byte[] input) {
        if (input.length == 0) {
            return input;
        }
        if ((input[0] & 1) == 0) {
            return Arrays.copyOfRange(input, 1, input.length);
        }
        BadMessages.Base base = base(input);
        MessageBytes m = base.message().copy();
        int at = 3;
        while (at + 4 <= input.length) {
            int part = (input[at] & 0xFF) % PARTS;
            int position = (input[at + 1] & 0xFF) | (input[at + 2] & 0xFF) << 8;
            int count = (input[at + 3] & 7) + 1;
            at += 4;
            if (part == PARTS - 1) {
                m.resize(position % (2 * m.length() + 1));
                continue;
            }
            int[] range = range(m, part);
            for (int i = 0; i < count && at < input.length; i++, at++) {
                if (range[1] > range[0]) {
                    int target = range[0] + (position + i) % (range[1] - range[0]);
                    if (target < m.length()) {
                        m.u8(target, input[at]);
                    }
                }
            }
        }
        boolean staleChecksum = input.length > 2 && (input[2] & 1) != 0;
        return staleChecksum ? m.bytes() : m.fixChecksum().bytes();
    }

    /** The base message of a mutation input. */
    static BadMessages.Base base(byte[] input) {
        return BadMessages.BASES.get((input.length > 1 ? input[1] & 0xFF : 0) % BadMessages.BASES.size());
    }

    /** [from, to) of part {@code part} of the message, as its (maybe changed) header places it, within the bytes there. */
    static int[] range(MessageBytes m, int part) {
        int length = m.length();
        if (length < WireFormat.HEADER_BYTES) {
            return new int[] {0, part == PARTS - 2 || part == 0 ? length : 0};
        }
        long table = Math.min(length, WireFormat.HEADER_BYTES + 8L * Math.max(0, m.segmentCount()));
        long buckets = m.buckets();
        long codes = buckets < 0 || buckets > length ? length
                : Math.min(length, WireFormat.align(table + buckets * m.recordBytes()));
        long rawValues = m.i64(WireFormat.AT_RAW_VALUES);
        long raw = rawValues < 0 || rawValues > length / 4 ? codes : Math.max(codes, length - 4 - 4 * rawValues);
        long[][] parts = {
            {0, WireFormat.HEADER_BYTES}, {WireFormat.HEADER_BYTES, table}, {table, codes}, {codes, raw},
            {raw, length - 4}, {0, length},
        };
        long[] r = parts[part];
        return new int[] {(int) r[0], (int) Math.max(r[0], r[1])};
    }

    /**
     * The destination: the segment lengths the message claims, if there are at most 64 adding up
     * to at most {@link #MAX_DESTINATION}; otherwise those of the base message (mutation inputs) or
     * one segment of 16 values (raw inputs).
     */
    static Segments destination(byte[] message, byte[] input) {
        int[] lengths = null;
        if (message.length >= WireFormat.HEADER_BYTES) {
            ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
            long count = Integer.toUnsignedLong(b.getInt(WireFormat.AT_SEGMENTS));
            if (count <= 64 && WireFormat.HEADER_BYTES + 8 * count <= message.length) {
                lengths = new int[(int) count];
                long total = 0;
                for (int s = 0; s < count && lengths != null; s++) {
                    long len = b.getLong(WireFormat.HEADER_BYTES + 8 * s);
                    total += len;
                    if (len < 0 || total > MAX_DESTINATION) {
                        lengths = null;
                    } else {
                        lengths[s] = (int) len;
                    }
                }
            }
        }
        if (lengths == null) {
            lengths = input.length > 0 && (input[0] & 1) != 0 ? base(input).lengths() : new int[] {16};
        }
        float[] pattern = new float[Arrays.stream(lengths).sum()];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = 1000.0f + i;
        }
        return TestData.directSegments(pattern, lengths);
    }

    static int[] bits(Segments s) {
        return RoundTripContract.bits(TestData.flatten(s));
    }
}
