package io.gradquant.codec;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.BucketPlan;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A message that {@link MessageReader} has checked: its header fields and where each bucket's
 * record, codes and raw values lie. Every field and every record is valid and consistent with the
 * destination it was read for; only the codes' ranges are left to the decoder's pre-pass (see
 * {@link #codeLimit}). Offsets are in bytes from the start of the message.
 */
public final class MessageLayout {
    private final ByteBuffer bytes;
    private final QuantizerSpec spec;
    private final long step;
    private final int codeBits;
    private final long rawValues;
    private final long[] segmentLengths;
    private final WireFormat.Sizes sizes;
    /** Code offset, relative to the codes' start, of the first bucket of each run of buckets. */
    private final long[] runCodeStart;
    /** RAW buckets' ordinals, ascending, and the index in the raw area of each one's first value. */
    private final long[] rawBuckets;
    private final long[] rawStarts;

    MessageLayout(ByteBuffer bytes, QuantizerSpec spec, long step, long rawValues, long[] segmentLengths,
            WireFormat.Sizes sizes, long[] rawBuckets, long[] rawStarts) {
        this.bytes = bytes;
        this.spec = spec;
        this.step = step;
        this.codeBits = WireFormat.codeBits(spec.type(), spec.levels());
        this.rawValues = rawValues;
        this.segmentLengths = segmentLengths;
        this.sizes = sizes;
        this.rawBuckets = rawBuckets;
        this.rawStarts = rawStarts;
        runCodeStart = spec.layout() == BucketLayout.PER_SEGMENT
                ? sizes.segmentCodeStarts(spec.type(), spec.levels(), segmentLengths.length) : new long[1];
    }

    /**
     * The spec the message was encoded with: quantizer, levels, bucket size, layout, seed, norm
     * and smart fraction (those a quantizer does not use take their defaults).
     */
    public QuantizerSpec spec() {
        return spec;
    }

    /** The quantizer. */
    public QuantizerType type() {
        return spec.type();
    }

    /** The step that keyed the random stream (hadamard's signs). */
    public long step() {
        return step;
    }

    /** Bits per code b. */
    public int codeBits() {
        return codeBits;
    }

    /** Element count N. */
    public long elements() {
        return sizes.plan().total();
    }

    /** The segment lengths (a copy). */
    public long[] segmentLengths() {
        return segmentLengths.clone();
    }

    /** The bucket plan of the message's layout over its segments. */
    public BucketPlan plan() {
        return sizes.plan();
    }

    /** Bucket count B (0 for none). */
    public long buckets() {
        return sizes.buckets();
    }

    /** Raw value count V. */
    public long rawValues() {
        return rawValues;
    }

    /** Message length L, checksum included. */
    public long length() {
        return bytes.limit();
    }

    /** Record size R. */
    public int recordBytes() {
        return sizes.recordBytes();
    }

    /** Offset T of the bucket table. */
    public long tableOffset() {
        return sizes.table();
    }

    /** Offset C of the codes. */
    public long codesOffset() {
        return sizes.codes();
    }

    /** Offset A of the raw values. */
    public long rawOffset() {
        return sizes.raw();
    }

    /** The message's bytes, [0, L), little-endian, read-only. */
    public ByteBuffer bytes() {
        return bytes.duplicate().order(bytes.order());
    }

    /** Offset of bucket {@code b}'s record. */
    public long recordOffset(long b) {
        return sizes.table() + b * sizes.recordBytes();
    }

    /** Kind of bucket {@code b}: {@link WireFormat#KIND_QUANTIZED}, {@code KIND_CONSTANT} or {@code KIND_RAW}. */
    public int kind(long b) {
        return bytes.get((int) recordOffset(b));
    }

    /** Number of codes of bucket {@code b}: its length, hadamard's padded length. */
    public int codeCount(long b) {
        return (int) WireFormat.codeCount(spec.type(), sizes.plan().length(b));
    }

    /** Offset of bucket {@code b}'s first code byte. */
    public long codeOffset(long b) {
        BucketPlan plan = sizes.plan();
        int run = plan.segmentOfBucket(b);
        long full = WireFormat.codeBytes(spec.type(), spec.levels(), spec.bucketSize());
        return sizes.codes() + runCodeStart[run] + (b - plan.firstBucket(run)) * full;
    }

    /** The RAW buckets' ordinals, ascending (a copy). */
    public long[] rawBuckets() {
        return rawBuckets.clone();
    }

    /** Offset of the first raw value of RAW bucket {@code b}. */
    public long rawOffset(long b) {
        int i = Arrays.binarySearch(rawBuckets, b);
        if (i < 0) {
            throw new IllegalArgumentException("bucket " + b + " is not RAW");
        }
        return sizes.raw() + 4 * rawStarts[i];
    }

    /** The points of QUANTIZED bucket {@code b}. */
    public BucketPoints points(long b) {
        int at = (int) recordOffset(b);
        return switch (spec.type()) {
            case STANDARD, HADAMARD -> new BucketPoints.Grid(bytes.getFloat(at + WireFormat.AT_LO),
                    bytes.getFloat(at + WireFormat.AT_HI));
            case SMART -> {
                float[] points = new float[Short.toUnsignedInt(bytes.getShort(at + WireFormat.AT_POINT_COUNT))];
                for (int i = 0; i < points.length; i++) {
                    points[i] = bytes.getFloat(at + WireFormat.AT_POINTS + 4 * i);
                }
                yield new BucketPoints.Sorted(points);
            }
            case EXPONENTIAL -> new BucketPoints.Powers(bytes.getDouble(at + WireFormat.AT_NORM_VALUE),
                    bytes.getShort(at + WireFormat.AT_TOP));
            case NONE -> throw new IllegalStateException("none has no buckets");
        };
    }

    /** The value of CONSTANT bucket {@code b}. */
    public float constant(long b) {
        return bytes.getFloat((int) recordOffset(b) + WireFormat.AT_CONSTANT_VALUE);
    }

    /** Unpacks the {@link #codeCount} codes of bucket {@code b} into {@code codes}. */
    public void codes(long b, int[] codes) {
        CodePacking.unpack(bytes, (int) codeOffset(b), codes, codeCount(b), codeBits);
    }

    /** Raw value {@code index} of the raw area (0 to V-1). */
    public float raw(long index) {
        return bytes.getFloat((int) (sizes.raw() + 4 * index));
    }

    /**
     * Checks the unpacked codes of QUANTIZED bucket {@code b} against their range, as a decoder's
     * pre-pass does before writing anything: standard and hadamard q <= levels - 1; smart q < c,
     * the bucket's point count; exponential: the magnitude index (the low b-1 bits) <= K =
     * levels/2 - 1.
     *
     * @throws MessageException naming the field "code", the bucket, the code and its range
     */
    public void checkCodes(long b, int[] codes) {
        int count = codeCount(b);
        int limit;
        int mask = (1 << codeBits) - 1;
        String range;
        switch (spec.type()) {
            case SMART -> {
                int points = Short.toUnsignedInt(bytes.getShort((int) recordOffset(b) + WireFormat.AT_POINT_COUNT));
                limit = points - 1;
                range = "< the bucket's point count " + points;
            }
            case EXPONENTIAL -> {
                limit = spec.levels() / 2 - 1;
                mask >>>= 1; // the sign bit is free
                range = "a magnitude index (its low " + (codeBits - 1) + " bits) <= K = " + limit;
            }
            default -> {
                limit = spec.levels() - 1;
                range = "<= levels - 1 = " + limit;
            }
        }
        for (int i = 0; i < count; i++) {
            if ((codes[i] & mask) > limit) {
                throw new MessageException("code", "bucket " + b + ": code " + i + " is " + codes[i]
                        + ", which is not allowed: it must be " + range);
            }
        }
    }
}
