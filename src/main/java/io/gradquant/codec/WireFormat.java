package io.gradquant.codec;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.BucketPlan;

/**
 * The facts of message format version 1 (docs/wire-format.md): constants, header field offsets,
 * record and code sizes, and the exact size of a message. Every backend's encoder and decoder takes
 * its numbers from here (the native and CUDA twins mirror them).
 */
public final class WireFormat {
    private WireFormat() {
    }

    /** The magic "GQMS" as the little-endian u32 at offset 0. */
    public static final int MAGIC = 'G' | 'Q' << 8 | 'M' << 16 | 'S' << 24;
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the fixed header. */
    public static final int HEADER_BYTES = 80;
    /** Bytes of the trailing CRC32C. */
    public static final int CHECKSUM_BYTES = 4;
    /** The table of records and the codes each start on a multiple of this. */
    public static final int ALIGNMENT = 8;
    /** Largest element count a message may claim. */
    public static final long MAX_ELEMENTS = 1L << 62;
    /** Most values in one hadamard bucket: its padded size, a power of two, must stay below 2^31. */
    public static final int MAX_HADAMARD_BUCKET = 1 << 30;

    // Header field offsets.
    public static final int AT_MAGIC = 0;
    public static final int AT_VERSION = 4;
    public static final int AT_QUANTIZER = 6;
    public static final int AT_LAYOUT = 7;
    public static final int AT_LEVELS = 8;
    public static final int AT_CODE_BITS = 10;
    public static final int AT_NORM = 11;
    public static final int AT_BUCKET_SIZE = 12;
    public static final int AT_ELEMENTS = 16;
    public static final int AT_SEED = 24;
    public static final int AT_STEP = 32;
    public static final int AT_BUCKETS = 40;
    public static final int AT_RAW_VALUES = 48;
    public static final int AT_LENGTH = 56;
    public static final int AT_SMART_FRACTION = 64;
    public static final int AT_SEGMENTS = 72;
    public static final int AT_RESERVED = 76;

    /** Record kind: quantized to the points the record defines. */
    public static final int KIND_QUANTIZED = 0;
    /** Record kind: left unchanged, every value has the bits of the record's f32. */
    public static final int KIND_CONSTANT = 1;
    /** Record kind: left unchanged, the values follow in the raw area. */
    public static final int KIND_RAW = 2;

    // Offsets inside a record (byte 0 is the kind).
    /** CONSTANT: the f32 value. */
    public static final int AT_CONSTANT_VALUE = 1;
    /** standard, hadamard: the f32 lowest point. */
    public static final int AT_LO = 1;
    /** standard, hadamard: the f32 highest point. */
    public static final int AT_HI = 5;
    /** smart: the u16 point count. */
    public static final int AT_POINT_COUNT = 1;
    /** smart: the first of {@code levels} f32 points. */
    public static final int AT_POINTS = 3;
    /** exponential: the f64 norm. */
    public static final int AT_NORM_VALUE = 1;
    /** exponential: the i16 top exponent. */
    public static final int AT_TOP = 9;
    /** Smallest top exponent an exponential record may hold. */
    public static final int MIN_TOP = -32;
    /** Largest top exponent an exponential record may hold. */
    public static final int MAX_TOP = 0;

    /** Fewest levels the quantizer allows: 4 for exponential (sign, zero, one power), else 2. */
    public static int minLevels(QuantizerType type) {
        return type == QuantizerType.EXPONENTIAL ? 4 : QuantizerSpec.MIN_LEVELS;
    }

    /** Bits per code b: 0 for none, otherwise ceil(log2(levels)), 1 to 8. */
    public static int codeBits(QuantizerType type, int levels) {
        return type == QuantizerType.NONE ? 0 : 32 - Integer.numberOfLeadingZeros(levels - 1);
    }

    /** Bytes R of one bucket record: none 0, standard and hadamard 9, smart 3 + 4·levels, exponential 11. */
    public static int recordBytes(QuantizerType type, int levels) {
        return switch (type) {
            case NONE -> 0;
            case STANDARD, HADAMARD -> 9;
            case SMART -> AT_POINTS + Float.BYTES * levels;
            case EXPONENTIAL -> 11;
        };
    }

    /** Codes c of a bucket of {@code n} values: n, except hadamard's P (the smallest power of two >= n). */
    public static long codeCount(QuantizerType type, long n) {
        return type == QuantizerType.HADAMARD && n > 1 ? Long.highestOneBit(n - 1) << 1 : n;
    }

    /** Code bytes of a bucket of {@code n} values: ceil(c·b / 8). */
    public static long codeBytes(QuantizerType type, int levels, long n) {
        return ceilDiv(codeCount(type, n) * codeBits(type, levels), 8);
    }

    /** {@code v} rounded up to a multiple of {@link #ALIGNMENT}. */
    public static long align(long v) {
        return Math.addExact(v, ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * The most bytes a message of {@code spec} over segments of {@code lengths} can take (every
     * bucket RAW): the size of the buffer to give {@code encode}.
     *
     * @throws IllegalArgumentException if a length is negative, or the message could not be held
     *         in a long (more than 2^62 elements)
     */
    public static long maxEncodedBytes(QuantizerSpec spec, long[] lengths) {
        Sizes sizes = sizes(spec, lengths);
        try {
            return sizes.messageBytes(sizes.plan().total());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a message of " + sizes.plan().total()
                    + " elements would not fit in 2^63 bytes", e);
        }
    }

    /**
     * The exact bytes of a message of {@code spec} over segments of {@code lengths} whose RAW
     * buckets hold {@code rawValues} values in all (for none: all of them).
     *
     * @throws IllegalArgumentException as {@link #maxEncodedBytes}, or if {@code rawValues} is
     *         negative or more than the elements
     */
    public static long encodedBytes(QuantizerSpec spec, long[] lengths, long rawValues) {
        Sizes sizes = sizes(spec, lengths);
        if (rawValues < 0 || rawValues > sizes.plan().total()
                || (spec.type() == QuantizerType.NONE && rawValues != sizes.plan().total())) {
            throw new IllegalArgumentException("raw value count " + rawValues + " is not allowed: it must be in [0, "
                    + sizes.plan().total() + "], and all of them for none");
        }
        try {
            return sizes.messageBytes(rawValues);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a message with " + rawValues + " raw values would not fit in 2^63 bytes", e);
        }
    }

    /**
     * Where the parts of a message of {@code spec} over segments of {@code lengths} go, for an
     * encoder that writes them itself (the cuda backend's kernels write the records and codes).
     *
     * @throws IllegalArgumentException as {@link #maxEncodedBytes}
     */
    public static Sizes sizes(QuantizerSpec spec, long[] lengths) {
        BucketPlan plan = BucketPlan.of(spec.layout(), spec.bucketSize(), lengths);
        if (plan.total() > MAX_ELEMENTS) {
            throw new IllegalArgumentException(plan.total() + " elements is not allowed: a message holds at most 2^62");
        }
        try {
            return Sizes.of(spec.type(), spec.levels(), plan, lengths.length);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a message of " + plan.total() + " elements would not fit in 2^63 bytes", e);
        }
    }

    /**
     * Where the parts of a message go: every offset of the layout table of docs/wire-format.md but
     * the raw values' length, which depends on how many buckets are RAW.
     *
     * @param plan        the bucket plan
     * @param buckets     B: the plan's bucket count, 0 for none
     * @param recordBytes R
     * @param table       T, the offset of the bucket table
     * @param codes       C, the offset of the codes
     * @param codeBytes   the codes' total length
     * @param raw         A, the offset of the raw values
     */
    public record Sizes(BucketPlan plan, long buckets, int recordBytes, long table, long codes, long codeBytes,
            long raw) {
        /**
         * @throws ArithmeticException if a size overflows a long (a claimed size no message can hold)
         */
        static Sizes of(QuantizerType type, int levels, BucketPlan plan, long segments) {
            boolean none = type == QuantizerType.NONE;
            long buckets = none ? 0 : plan.buckets();
            int recordBytes = WireFormat.recordBytes(type, levels);
            long table = Math.addExact(HEADER_BYTES, Math.multiplyExact(8L, segments));
            long codes = align(Math.addExact(table, Math.multiplyExact(buckets, (long) recordBytes)));
            long codeBytes = none ? 0 : plan.sum(n -> WireFormat.codeBytes(type, levels, n));
            long raw = align(Math.addExact(codes, codeBytes));
            return new Sizes(plan, buckets, recordBytes, table, codes, codeBytes, raw);
        }

        /**
         * L for {@code rawValues} raw values.
         *
         * @throws ArithmeticException if it overflows a long
         */
        public long messageBytes(long rawValues) {
            return Math.addExact(raw, Math.addExact(Math.multiplyExact(4L, rawValues), CHECKSUM_BYTES));
        }

        /**
         * Per-segment layout: for each of the {@code segments} segments, the code bytes (relative
         * to C) before its first bucket, then the total: where each segment's run of buckets
         * starts (every bucket of a run but its last is full).
         */
        public long[] segmentCodeStarts(QuantizerType type, int levels, int segments) {
            long[] starts = new long[segments + 1];
            for (int s = 0; s < segments; s++) {
                starts[s + 1] = starts[s] + plan.segmentSum(s, n -> WireFormat.codeBytes(type, levels, n));
            }
            return starts;
        }
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }
}
