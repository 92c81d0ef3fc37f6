package io.gradquant.codec;

import io.gradquant.BucketLayout;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.BucketPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The one reader of messages (docs/wire-format.md), shared by every backend's decoder: it checks
 * every field, every record and every byte of padding, against its allowed range, against the
 * other fields, against the bytes given and against the destination's segment lengths, and returns
 * where everything lies. Only the codes' ranges are left to the decoders' pre-pass
 * ({@link MessageLayout#checkCodes}). Every message is treated as hostile: no size a field claims
 * is allocated or read before it has been checked against the message length.
 */
public final class MessageReader {
    private final ByteBuffer m;
    private final int given;

    private MessageReader(ByteBuffer message) {
        this.m = message.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.given = m.limit();
    }

    /**
     * Reads and checks the message held by {@code message} from its position to its limit (the
     * buffer's position is not changed), for a destination of segments of {@code destination}
     * lengths.
     *
     * @throws MessageException naming the first field at fault, its value and what is allowed
     */
    public static MessageLayout read(ByteBuffer message, long[] destination) {
        MessageReader reader = new MessageReader(message);
        Header header = reader.header();
        return reader.rest(header, reader.segmentLengths(header.elements(), destination));
    }

    /**
     * The segment lengths a message claims, for a caller that makes its destination from the
     * message: the header and the segment table are checked as {@link #read} checks them, but not
     * the rest (call {@link #read} with the lengths before allocating from them: only it checks
     * that the message holds that many values).
     *
     * @throws MessageException naming the first field at fault
     */
    public static long[] segmentLengths(ByteBuffer message) {
        MessageReader reader = new MessageReader(message);
        return reader.segmentLengths(reader.header().elements(), null);
    }

    /** The header's fields that shape the rest of the message. */
    private record Header(QuantizerType type, BucketLayout layout, int levels, ExponentialNorm norm, int bucketSize,
            long elements, double fraction) {
    }

    /** Checks the envelope and every header field on its own; the segment table is next. */
    private Header header() {
        checkEnvelope();
        QuantizerType type = QuantizerType.fromId(u8(WireFormat.AT_QUANTIZER));
        if (type == null) {
            throw fail("quantizer id", u8(WireFormat.AT_QUANTIZER), "0 none, 1 standard, 2 smart, 3 hadamard, 4 exponential");
        }
        BucketLayout layout = BucketLayout.fromId(u8(WireFormat.AT_LAYOUT));
        if (layout == null) {
            throw fail("layout", u8(WireFormat.AT_LAYOUT), "0 spanning, 1 per-segment");
        }
        int levels = u16(WireFormat.AT_LEVELS);
        int minLevels = WireFormat.minLevels(type);
        if (levels < minLevels || levels > QuantizerSpec.MAX_LEVELS) {
            throw fail("levels", levels, minLevels + " to " + QuantizerSpec.MAX_LEVELS + " for " + type.cliName());
        }
        int codeBits = WireFormat.codeBits(type, levels);
        if (u8(WireFormat.AT_CODE_BITS) != codeBits) {
            throw fail("code bits", u8(WireFormat.AT_CODE_BITS), codeBits + " for " + type.cliName() + " at " + levels + " levels");
        }
        ExponentialNorm norm = ExponentialNorm.fromId(u8(WireFormat.AT_NORM));
        if (type == QuantizerType.EXPONENTIAL ? norm == null : u8(WireFormat.AT_NORM) != 0) {
            throw fail("exponential norm", u8(WireFormat.AT_NORM),
                    type == QuantizerType.EXPONENTIAL ? "0 L2, 1 max" : "0 for " + type.cliName());
        }
        int bucketSize = m.getInt(WireFormat.AT_BUCKET_SIZE);
        if (bucketSize < 1) {
            throw fail("bucket size", Integer.toUnsignedLong(bucketSize), "1 to 2^31-1");
        }
        long elements = m.getLong(WireFormat.AT_ELEMENTS);
        if (elements < 0 || elements > WireFormat.MAX_ELEMENTS) {
            throw fail("element count", Long.toUnsignedString(elements), "0 to 2^62");
        }
        double fraction = m.getDouble(WireFormat.AT_SMART_FRACTION);
        if (type == QuantizerType.SMART ? !(fraction > 0.0 && fraction <= 1.0)
                : m.getLong(WireFormat.AT_SMART_FRACTION) != 0) {
            throw fail("smart fraction", fraction, type == QuantizerType.SMART ? "in (0, 1]" : "0.0 for " + type.cliName());
        }
        if (m.getInt(WireFormat.AT_RESERVED) != 0) {
            throw fail("reserved", Integer.toUnsignedLong(m.getInt(WireFormat.AT_RESERVED)), "0");
        }
        return new Header(type, layout, levels, norm, bucketSize, elements, fraction);
    }

    /** Everything after the segment table: counts, sizes, padding, records. */
    private MessageLayout rest(Header h, long[] lengths) {
        QuantizerType type = h.type();
        QuantizerSpec spec = QuantizerSpec.builder(type).levels(h.levels()).bucketSize(h.bucketSize()).layout(h.layout())
                .seed(m.getLong(WireFormat.AT_SEED))
                .smartFraction(type == QuantizerType.SMART ? h.fraction() : QuantizerSpec.DEFAULT_SMART_FRACTION)
                .exponentialNorm(h.norm() == null ? ExponentialNorm.L2 : h.norm()).build();
        BucketPlan plan = BucketPlan.of(h.layout(), h.bucketSize(), lengths);
        if (type == QuantizerType.HADAMARD) {
            long longest = h.bucketSize();
            if (h.layout() == BucketLayout.SPANNING) {
                longest = Math.min(longest, h.elements());
            } else {
                longest = Math.min(longest, Arrays.stream(lengths).max().orElse(0));
            }
            if (longest > WireFormat.MAX_HADAMARD_BUCKET) {
                throw new MessageException("bucket size", "bucket size " + h.bucketSize() + " makes a hadamard bucket of "
                        + longest + " values, which is not allowed: hadamard buckets hold at most 2^30 values");
            }
        }
        WireFormat.Sizes sizes = sizes(type, h.levels(), plan, lengths.length);
        long rawValues = checkCounts(type, sizes, h.elements());
        checkZero(sizes.table() + sizes.buckets() * sizes.recordBytes(), sizes.codes(), "padding", "between the bucket table and the codes");
        checkZero(sizes.codes() + sizes.codeBytes(), sizes.raw(), "padding", "between the codes and the raw values");
        long[][] raw = checkBuckets(type, h.levels(), sizes, rawValues);
        return new MessageLayout(m, spec, m.getLong(WireFormat.AT_STEP), rawValues, lengths, sizes, raw[0], raw[1]);
    }

    /** Length, magic, version, message length and checksum: whether these bytes are one whole message. */
    private void checkEnvelope() {
        if (given < WireFormat.HEADER_BYTES + WireFormat.CHECKSUM_BYTES) {
            throw new MessageException("message length", "the message is truncated: " + given
                    + " bytes were given, and a message has at least " + (WireFormat.HEADER_BYTES + WireFormat.CHECKSUM_BYTES)
                    + " (header and checksum)");
        }
        if (m.getInt(WireFormat.AT_MAGIC) != WireFormat.MAGIC) {
            throw fail("magic", String.format("0x%08x", Integer.reverseBytes(m.getInt(WireFormat.AT_MAGIC))),
                    "0x47514d53 (\"GQMS\"): these bytes are not a gradquant message");
        }
        if (u16(WireFormat.AT_VERSION) != WireFormat.VERSION) {
            throw fail("format version", u16(WireFormat.AT_VERSION), WireFormat.VERSION + " (the only version this decoder reads)");
        }
        long length = m.getLong(WireFormat.AT_LENGTH);
        if (length != given) {
            throw new MessageException("message length", "the message length field is " + Long.toUnsignedString(length)
                    + " but " + given + " bytes were given" + (Long.compareUnsigned(length, given) > 0 ? ": the message is truncated" : "")
                    + "; they must be equal");
        }
        CRC32C crc = new CRC32C();
        crc.update(m.duplicate().position(0).limit(given - WireFormat.CHECKSUM_BYTES));
        int stored = m.getInt(given - WireFormat.CHECKSUM_BYTES);
        if ((int) crc.getValue() != stored) {
            throw new MessageException("checksum", String.format("the checksum is 0x%08x but the bytes before it give"
                    + " 0x%08x: the message is corrupt", stored, (int) crc.getValue()));
        }
    }

    /**
     * The segment table, checked against the element count, the message length and the destination
     * (unless {@code destination} is null).
     */
    private long[] segmentLengths(long elements, long[] destination) {
        long count = Integer.toUnsignedLong(m.getInt(WireFormat.AT_SEGMENTS));
        long room = (given - WireFormat.HEADER_BYTES - WireFormat.CHECKSUM_BYTES) / 8;
        if (count > room) {
            throw fail("segment count", count, "at most " + room + ": a table of " + count
                    + " lengths does not fit in a message of " + given + " bytes");
        }
        if (destination != null && count != destination.length) {
            throw fail("segment count", count, destination.length + ", the destination's segment count");
        }
        long[] lengths = new long[(int) count];
        long sum = 0;
        for (int s = 0; s < count; s++) {
            lengths[s] = m.getLong(WireFormat.HEADER_BYTES + 8 * s);
            if (lengths[s] < 0) {
                throw new MessageException("segment lengths", "segment " + s + " has length " + Long.toUnsignedString(lengths[s])
                        + ", which is not allowed: it must be at most 2^62");
            }
            if (destination != null && lengths[s] != destination[s]) {
                throw new MessageException("segment lengths", "segment " + s + " has length "
                        + Long.toUnsignedString(lengths[s]) + " in the message but " + destination[s]
                        + " in the destination; they must be equal");
            }
            try {
                sum = Math.addExact(sum, lengths[s]);
            } catch (ArithmeticException e) {
                throw new MessageException("segment lengths", "the segment lengths add up to more than 2^63");
            }
        }
        if (sum != elements) {
            throw fail("element count", elements, sum + ", the sum of the segment lengths");
        }
        return lengths;
    }

    private WireFormat.Sizes sizes(QuantizerType type, int levels, BucketPlan plan, int segments) {
        try {
            return WireFormat.Sizes.of(type, levels, plan, segments);
        } catch (ArithmeticException e) {
            throw new MessageException("message length", "the message's parts would take more than 2^63 bytes,"
                    + " but the message has " + given);
        }
    }

    /** Bucket count, raw value count and message length against the plan and each other; returns V. */
    private long checkCounts(QuantizerType type, WireFormat.Sizes sizes, long elements) {
        long buckets = m.getLong(WireFormat.AT_BUCKETS);
        if (buckets != sizes.buckets()) {
            throw fail("bucket count", Long.toUnsignedString(buckets), sizes.buckets()
                    + (type == QuantizerType.NONE ? " for none" : ", the bucket plan's count over the segment lengths"));
        }
        long rawValues = m.getLong(WireFormat.AT_RAW_VALUES);
        if (type == QuantizerType.NONE ? rawValues != elements : rawValues < 0 || rawValues > elements) {
            throw fail("raw value count", Long.toUnsignedString(rawValues),
                    type == QuantizerType.NONE ? elements + ", the element count, for none" : "0 to " + elements);
        }
        long expected;
        try {
            expected = sizes.messageBytes(rawValues);
        } catch (ArithmeticException e) {
            expected = -1;
        }
        if (expected != given) {
            throw new MessageException("message length", "the message has " + given + " bytes but its fields ("
                    + sizes.buckets() + " buckets, " + sizes.codeBytes() + " code bytes, " + rawValues
                    + " raw values) make " + (expected < 0 ? "more than 2^63" : Long.toString(expected)) + "; they must be equal");
        }
        return rawValues;
    }

    /**
     * Every record, and the code bytes they say must be zero; returns the RAW buckets' ordinals and
     * raw starts. B·R and the codes lie inside the message (checked by the message length), so the
     * loop runs over bytes that are there.
     */
    private long[][] checkBuckets(QuantizerType type, int levels, WireFormat.Sizes sizes, long rawValues) {
        long[] rawBuckets = new long[0];
        long[] rawStarts = new long[0];
        int rawCount = 0;
        long rawSoFar = 0;
        long codeAt = sizes.codes();
        int bits = WireFormat.codeBits(type, levels);
        BucketPlan plan = sizes.plan();
        for (long b = 0; b < sizes.buckets(); b++) {
            int at = (int) (sizes.table() + b * sizes.recordBytes());
            int n = plan.length(b);
            long codeCount = WireFormat.codeCount(type, n);
            int codeBytes = (int) WireFormat.codeBytes(type, levels, n);
            int kind = u8(at);
            switch (kind) {
                case WireFormat.KIND_QUANTIZED -> checkPoints(type, levels, b, at);
                case WireFormat.KIND_CONSTANT -> checkZero(at + 5, at + sizes.recordBytes(), "record padding", "of CONSTANT bucket " + b);
                case WireFormat.KIND_RAW -> {
                    checkZero(at + 1, at + sizes.recordBytes(), "record padding", "of RAW bucket " + b);
                    if (rawCount == rawBuckets.length) {
                        rawBuckets = Arrays.copyOf(rawBuckets, Math.max(16, 2 * rawCount));
                        rawStarts = Arrays.copyOf(rawStarts, rawBuckets.length);
                    }
                    rawBuckets[rawCount] = b;
                    rawStarts[rawCount++] = rawSoFar;
                    rawSoFar += n;
                }
                default -> throw new MessageException("kind", "bucket " + b + " has kind " + kind
                        + ", which is not allowed: it must be 0 QUANTIZED, 1 CONSTANT or 2 RAW");
            }
            if (kind != WireFormat.KIND_QUANTIZED) {
                checkZero(codeAt, codeAt + codeBytes, "code padding", "(the codes of " + (kind == WireFormat.KIND_RAW ? "RAW" : "CONSTANT")
                        + " bucket " + b + ")");
            } else if (codeCount * bits % 8 != 0) {
                int last = u8((int) (codeAt + codeBytes - 1));
                if (last >>> (codeCount * bits % 8) != 0) {
                    throw new MessageException("code padding", "bucket " + b + ": the unused high bits of its last code byte are "
                            + (last >>> (codeCount * bits % 8)) + ", which is not allowed: they must be zero");
                }
            }
            codeAt += codeBytes;
        }
        if (type != QuantizerType.NONE && rawSoFar != rawValues) {
            throw fail("raw value count", rawValues, rawSoFar + ", the values of the RAW buckets");
        }
        return new long[][] {Arrays.copyOf(rawBuckets, rawCount), Arrays.copyOf(rawStarts, rawCount)};
    }

    /** The record of QUANTIZED bucket {@code b}, at {@code at}. */
    private void checkPoints(QuantizerType type, int levels, long b, int at) {
        switch (type) {
            case STANDARD, HADAMARD -> {
                float lo = m.getFloat(at + WireFormat.AT_LO);
                float hi = m.getFloat(at + WireFormat.AT_HI);
                if (!Float.isFinite(lo) || Float.floatToRawIntBits(lo) == Integer.MIN_VALUE) {
                    throw new MessageException("lo", "bucket " + b + " has lo " + lo
                            + ", which is not allowed: it must be finite and not -0");
                }
                if (!Float.isFinite(hi) || Float.floatToRawIntBits(hi) == Integer.MIN_VALUE || !(hi > lo)) {
                    throw new MessageException("hi", "bucket " + b + " has hi " + hi
                            + ", which is not allowed: it must be finite, not -0 and > lo " + lo);
                }
            }
            case SMART -> {
                int count = u16(at + WireFormat.AT_POINT_COUNT);
                if (count < 2 || count > levels) {
                    throw new MessageException("point count", "bucket " + b + " has point count " + count
                            + ", which is not allowed: it must be 2 to levels " + levels);
                }
                float previous = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < count; i++) {
                    float p = m.getFloat(at + WireFormat.AT_POINTS + 4 * i);
                    if (!Float.isFinite(p) || Float.floatToRawIntBits(p) == Integer.MIN_VALUE || !(p > previous)) {
                        throw new MessageException("points", "bucket " + b + ": point " + i + " is " + p
                                + ", which is not allowed: points must be finite, not -0 and strictly ascending");
                    }
                    previous = p;
                }
                checkZero(at + WireFormat.AT_POINTS + 4 * count, at + WireFormat.AT_POINTS + 4 * levels, "points",
                        "after the " + count + " points of bucket " + b);
            }
            case EXPONENTIAL -> {
                double norm = m.getDouble(at + WireFormat.AT_NORM_VALUE);
                int top = m.getShort(at + WireFormat.AT_TOP);
                if (!(norm > 0.0) || !Double.isFinite(norm)) {
                    throw new MessageException("norm", "bucket " + b + " has norm " + norm
                            + ", which is not allowed: it must be finite and > 0");
                }
                if (top < WireFormat.MIN_TOP || top > WireFormat.MAX_TOP) {
                    throw new MessageException("top", "bucket " + b + " has top " + top + ", which is not allowed: it must be "
                            + WireFormat.MIN_TOP + " to " + WireFormat.MAX_TOP);
                }
                if (!Float.isFinite((float) Math.scalb(norm, top))) {
                    throw new MessageException("top", "bucket " + b + " has top " + top + " and norm " + norm
                            + ", whose largest point norm·2^top overflows float32: not allowed");
                }
            }
            case NONE -> throw new IllegalStateException("none has no records");
        }
    }

    /** Bytes [from, to) must be zero. */
    private void checkZero(long from, long to, String field, String where) {
        for (long i = from; i < to; i++) {
            if (m.get((int) i) != 0) {
                throw new MessageException(field, "byte " + i + " " + where + " is " + u8((int) i)
                        + ", which is not allowed: it must be 0");
            }
        }
    }

    private int u8(int at) {
        return m.get(at) & 0xFF;
    }

    private int u16(int at) {
        return m.getShort(at) & 0xFFFF;
    }

    private static MessageException fail(String field, Object value, String allowed) {
        return new MessageException(field, field + " " + value + " is not allowed: it must be " + allowed);
    }
}
