package io.gradquant.codec;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.BucketPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Writes one message (docs/wire-format.md) into a caller's buffer, bucket by bucket in order:
 * {@link #quantized} or {@link #unchanged} once per bucket of the plan, then {@link #finish}, which
 * writes the header and the checksum and advances the buffer's position past the message. Every
 * byte of the message is written (padding as zeros), whatever the buffer held before.
 */
public final class MessageWriter {
    private static final byte[] ZEROS = new byte[4096];

    private final ByteBuffer caller;
    private final ByteBuffer out;
    private final int origin;
    private final QuantizerSpec spec;
    private final long step;
    private final long[] lengths;
    private final WireFormat.Sizes sizes;
    private final int codeBits;
    private long bucket;
    private long codeAt;
    private long rawValues;

    /**
     * A writer of the message of {@code spec} and {@code step} over segments of {@code lengths}, at
     * {@code out}'s position.
     *
     * @throws IllegalArgumentException before anything is written, if {@code out} has fewer than
     *         {@link WireFormat#maxEncodedBytes} bytes remaining, or is read-only
     */
    public MessageWriter(QuantizerSpec spec, long step, long[] lengths, ByteBuffer out) {
        long max = WireFormat.maxEncodedBytes(spec, lengths);
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("the output buffer is read-only");
        }
        if (out.remaining() < max) {
            throw new IllegalArgumentException("the output buffer has " + out.remaining() + " bytes remaining but a "
                    + spec.type().cliName() + " message of these " + lengths.length + " segments may need up to " + max
                    + " (WireFormat.maxEncodedBytes)");
        }
        this.caller = out;
        this.out = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.origin = out.position();
        this.spec = spec;
        this.step = step;
        this.lengths = lengths.clone();
        this.sizes = WireFormat.Sizes.of(spec.type(), spec.levels(),
                BucketPlan.of(spec.layout(), spec.bucketSize(), lengths), lengths.length);
        this.codeBits = WireFormat.codeBits(spec.type(), spec.levels());
        this.codeAt = sizes.codes();
        for (long i = 0; i < sizes.raw(); i += ZEROS.length) { // header, table, codes and padding start as zeros
            this.out.put(at(i), ZEROS, 0, (int) Math.min(ZEROS.length, sizes.raw() - i));
        }
    }

    /**
     * The next bucket was quantized to {@code points}; its codes are {@code codes[0..c)}, c its
     * code count (n, hadamard's padded P), each below 2^b.
     */
    public void quantized(BucketPoints points, int[] codes) {
        int n = nextBucket();
        int record = at(sizes.table() + bucket * sizes.recordBytes());
        out.put(record, (byte) WireFormat.KIND_QUANTIZED);
        if (points instanceof BucketPoints.Grid g) {
            out.putFloat(record + WireFormat.AT_LO, g.lo());
            out.putFloat(record + WireFormat.AT_HI, g.hi());
        } else if (points instanceof BucketPoints.Sorted s) {
            out.putShort(record + WireFormat.AT_POINT_COUNT, (short) s.points().length);
            for (int i = 0; i < s.points().length; i++) {
                out.putFloat(record + WireFormat.AT_POINTS + 4 * i, s.points()[i]);
            }
        } else if (points instanceof BucketPoints.Powers p) {
            out.putDouble(record + WireFormat.AT_NORM_VALUE, p.norm());
            out.putShort(record + WireFormat.AT_TOP, (short) p.top());
        }
        int count = (int) WireFormat.codeCount(spec.type(), n);
        CodePacking.pack(out, at(codeAt), codes, count, codeBits);
        codeAt += WireFormat.codeBytes(spec.type(), spec.levels(), n);
        bucket++;
    }

    /**
     * The quantizer left the next bucket, {@code values[0..n)}, unchanged: it becomes CONSTANT if
     * all n values have the same bits, RAW otherwise. For none, the values go to the raw area
     * (none has no buckets, and the plan's buckets just cut its values into pieces).
     */
    public void unchanged(float[] values, int n) {
        int expected = nextBucket();
        if (n != expected) {
            throw new IllegalArgumentException("bucket " + bucket + " has " + expected + " values, not " + n);
        }
        if (spec.type() != QuantizerType.NONE) {
            int record = at(sizes.table() + bucket * sizes.recordBytes());
            boolean constant = true;
            for (int i = 1; i < n; i++) {
                constant &= Float.floatToRawIntBits(values[i]) == Float.floatToRawIntBits(values[0]);
            }
            if (constant) {
                out.put(record, (byte) WireFormat.KIND_CONSTANT);
                out.putFloat(record + WireFormat.AT_CONSTANT_VALUE, values[0]);
                n = 0;
            } else {
                out.put(record, (byte) WireFormat.KIND_RAW);
            }
            codeAt += WireFormat.codeBytes(spec.type(), spec.levels(), expected);
        }
        for (int i = 0; i < n; i++) {
            out.putFloat(at(sizes.raw() + 4 * (rawValues + i)), values[i]);
        }
        rawValues += n;
        bucket++;
    }

    /**
     * Writes the header and the checksum after the last bucket and advances the output buffer's
     * position past the message.
     *
     * @return the message length L
     * @throws IllegalStateException if not every bucket was written
     */
    public long finish() {
        if (bucket != sizes.plan().buckets()) {
            throw new IllegalStateException(bucket + " of " + sizes.plan().buckets() + " buckets written");
        }
        long length = finishFrame(out, origin, spec, step, lengths, sizes, rawValues);
        caller.position(at(length));
        return length;
    }

    /**
     * Writes the header and the segment table of a message at {@code origin} and its checksum over
     * every byte before it, for an encoder that wrote everything else (records, codes, padding and
     * raw values) itself; the buffer's position is not changed.
     *
     * @param sizes     {@link WireFormat#sizes} of the spec over the lengths
     * @param rawValues V, the values of the RAW buckets (all N for none)
     * @return the message length L
     */
    public static long finishFrame(ByteBuffer buffer, int origin, QuantizerSpec spec, long step, long[] lengths,
            WireFormat.Sizes sizes, long rawValues) {
        ByteBuffer out = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long length = sizes.messageBytes(rawValues);
        out.putInt(origin + WireFormat.AT_MAGIC, WireFormat.MAGIC);
        out.putShort(origin + WireFormat.AT_VERSION, (short) WireFormat.VERSION);
        out.put(origin + WireFormat.AT_QUANTIZER, (byte) spec.type().id());
        out.put(origin + WireFormat.AT_LAYOUT, (byte) spec.layout().id());
        out.putShort(origin + WireFormat.AT_LEVELS, (short) spec.levels());
        out.put(origin + WireFormat.AT_CODE_BITS, (byte) WireFormat.codeBits(spec.type(), spec.levels()));
        out.put(origin + WireFormat.AT_NORM,
                (byte) (spec.type() == QuantizerType.EXPONENTIAL ? spec.exponentialNorm().id() : 0));
        out.putInt(origin + WireFormat.AT_BUCKET_SIZE, spec.bucketSize());
        out.putLong(origin + WireFormat.AT_ELEMENTS, sizes.plan().total());
        out.putLong(origin + WireFormat.AT_SEED, spec.seed());
        out.putLong(origin + WireFormat.AT_STEP, step);
        out.putLong(origin + WireFormat.AT_BUCKETS, sizes.buckets());
        out.putLong(origin + WireFormat.AT_RAW_VALUES, rawValues);
        out.putLong(origin + WireFormat.AT_LENGTH, length);
        out.putDouble(origin + WireFormat.AT_SMART_FRACTION,
                spec.type() == QuantizerType.SMART ? spec.smartFraction() : 0.0);
        out.putInt(origin + WireFormat.AT_SEGMENTS, lengths.length);
        out.putInt(origin + WireFormat.AT_RESERVED, 0);
        for (int s = 0; s < lengths.length; s++) {
            out.putLong(origin + WireFormat.HEADER_BYTES + 8 * s, lengths[s]);
        }
        int end = Math.toIntExact(origin + length - WireFormat.CHECKSUM_BYTES);
        CRC32C crc = new CRC32C();
        crc.update(out.duplicate().position(origin).limit(end));
        out.putInt(end, (int) crc.getValue());
        return length;
    }

    /** Length of the next bucket, which must exist. */
    private int nextBucket() {
        if (bucket >= sizes.plan().buckets()) {
            throw new IllegalStateException("all " + bucket + " buckets are written");
        }
        return sizes.plan().length(bucket);
    }

    private int at(long offset) {
        return origin + (int) offset;
    }
}
