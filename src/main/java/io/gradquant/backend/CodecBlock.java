package io.gradquant.backend;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;

/**
 * The message side of an encode or decode call on the device: the {@code gq::Codec} block
 * (cuda/gq_call.cuh, {@value #BYTES} bytes, field offsets below) and the tables it points to, which
 * travel in the call's one copy of tables ({@link CallBlock}), plus the device copy of the message.
 */
final class CodecBlock {
    static final int BYTES = 104;

    private final WireFormat.Sizes sizes;
    private final int bits;
    private final long fullCodeBytes;
    private final long[] codeStart; // per-segment layout, else null
    private final long[] rawBuckets;
    private final long[] rawStarts;
    private final long messageBytes;
    private final boolean writeBack;
    private final boolean add;
    private final float weight;

    private CodecBlock(QuantizerSpec spec, WireFormat.Sizes sizes, int segments, long[] rawBuckets, long[] rawStarts,
            long messageBytes, boolean writeBack, boolean add, float weight) {
        this.sizes = sizes;
        this.bits = WireFormat.codeBits(spec.type(), spec.levels());
        this.fullCodeBytes = WireFormat.codeBytes(spec.type(), spec.levels(), spec.bucketSize());
        this.codeStart = spec.layout() == BucketLayout.PER_SEGMENT
                ? sizes.segmentCodeStarts(spec.type(), spec.levels(), segments) : null;
        this.rawBuckets = rawBuckets;
        this.rawStarts = rawStarts;
        this.messageBytes = messageBytes;
        this.writeBack = writeBack;
        this.add = add;
        this.weight = weight;
    }

    /**
     * An encode: the kernels write the records and codes into a zeroed device message of A bytes
     * (header, table and codes; the host writes the header, the raw values and the checksum).
     */
    static CodecBlock encode(QuantizerSpec spec, WireFormat.Sizes sizes, int segments, boolean writeBack) {
        return new CodecBlock(spec, sizes, segments, new long[0], new long[0], sizes.raw(), writeBack, false, 0.0f);
    }

    /**
     * A decode of a checked message of {@code messageBytes} bytes whose RAW buckets, ascending,
     * start at {@code rawStarts} in the raw area.
     */
    static CodecBlock decode(QuantizerSpec spec, WireFormat.Sizes sizes, int segments, long[] rawBuckets,
            long[] rawStarts, long messageBytes, boolean add, float weight) {
        return new CodecBlock(spec, sizes, segments, rawBuckets, rawStarts, messageBytes, false, add, weight);
    }

    /** Bytes of the block and its tables. */
    long tableBytes() {
        return BYTES + 8L * ((codeStart == null ? 0 : codeStart.length) + rawBuckets.length + rawStarts.length);
    }

    /** Bytes of the device copy of the message. */
    long messageBytes() {
        return messageBytes;
    }

    /**
     * Writes the block and its tables at {@code at} of {@code b} (little-endian), for a block at
     * device address {@code device}, the message at {@code message} and the per-block first-bad
     * words at {@code firstBad}.
     */
    void write(ByteBuffer b, int at, long device, long message, long firstBad) {
        long next = device + BYTES;
        int tail = at + BYTES;
        long codeStartAt = 0;
        if (codeStart != null) {
            codeStartAt = next;
            tail = putLongs(b, tail, codeStart);
            next += 8L * codeStart.length;
        }
        long rawBucketsAt = next;
        tail = putLongs(b, tail, rawBuckets);
        long rawStartsAt = rawBucketsAt + 8L * rawBuckets.length;
        putLongs(b, tail, rawStarts);
        b.putLong(at, message);
        b.putLong(at + 8, codeStartAt);
        b.putLong(at + 16, rawBucketsAt);
        b.putLong(at + 24, rawStartsAt);
        b.putLong(at + 32, firstBad);
        b.putLong(at + 40, sizes.table());
        b.putLong(at + 48, sizes.codes());
        b.putLong(at + 56, sizes.raw());
        b.putLong(at + 64, fullCodeBytes);
        b.putLong(at + 72, rawBuckets.length);
        b.putInt(at + 80, sizes.recordBytes());
        b.putInt(at + 84, bits);
        b.putInt(at + 88, writeBack ? 1 : 0);
        b.putInt(at + 92, add ? 1 : 0);
        b.putFloat(at + 96, weight);
        b.putInt(at + 100, 0);
    }

    private static int putLongs(ByteBuffer b, int at, long[] values) {
        for (long v : values) {
            b.putLong(at, v);
            at += 8;
        }
        return at;
    }
}
