package io.gradquant.codec;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.reference.JavaBackend;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Valid messages of every quantizer, small enough to reason about byte by byte, and the ways of
 * breaking them that a decoder must refuse (docs/wire-format.md, "What a decoder checks"). Shared by
 * the decoder error tests and the fuzz tests' seeds.
 */
public final class BadMessages {
    private BadMessages() {
    }

    /**
     * A valid message and the input it was encoded from.
     *
     * @param name    what it is
     * @param spec    the spec it was encoded with
     * @param lengths its segment lengths
     * @param message its bytes
     */
    public record Base(String name, QuantizerSpec spec, int[] lengths, MessageBytes message) {
        /** Fresh direct segments of the message's lengths, filled with a recognisable pattern. */
        public Segments destination() {
            int n = Arrays.stream(lengths).sum();
            float[] pattern = new float[n];
            for (int i = 0; i < n; i++) {
                pattern[i] = -1000.0f - i;
            }
            return TestData.directSegments(pattern, lengths);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * One way of breaking a base message.
     *
     * @param base        which base message
     * @param what        what is wrong
     * @param mutate      the change
     * @param fixChecksum whether to recompute the checksum afterwards (so that the decoder reaches the field)
     * @param field       the field the decoder must name
     */
    public record Case(Base base, String what, UnaryOperator<MessageBytes> mutate, boolean fixChecksum, String field) {
        public MessageBytes bytes() {
            MessageBytes m = mutate.apply(base.message().copy());
            return fixChecksum ? m.fixChecksum() : m;
        }

        @Override
        public String toString() {
            return base.name() + ": " + what;
        }
    }

    /** standard, 3 levels (2-bit codes, so code 3 is out of range), buckets of 5 over 7+0+13: Q, CONSTANT, RAW, Q. */
    public static final Base STANDARD = base("standard", QuantizerSpec.builder(QuantizerType.STANDARD).levels(3)
            .bucketSize(5), new int[] {7, 0, 13}, x -> {
                Arrays.fill(x, 5, 10, 2.5f);
                x[12] = Float.NaN;
            });
    /** smart, 8 levels, per-segment buckets of 16 over 20+11: the 4-value bucket has fewer points than 2^b. */
    public static final Base SMART = base("smart", QuantizerSpec.builder(QuantizerType.SMART).levels(8).bucketSize(16)
            .layout(BucketLayout.PER_SEGMENT).smartFraction(0.5), new int[] {20, 11}, x -> { });
    /** exponential, 17 levels (5-bit codes, magnitude index at most 7 of 15), max norm, buckets of 8 over 30. */
    public static final Base EXPONENTIAL = base("exponential", QuantizerSpec.builder(QuantizerType.EXPONENTIAL).levels(17)
            .bucketSize(8).exponentialNorm(io.gradquant.ExponentialNorm.MAX), new int[] {30}, x -> { });
    /** hadamard, 16 levels, buckets of 6 (8 codes each) over 2+2+9: 3 buckets, 4 with per-segment buckets. */
    public static final Base HADAMARD = base("hadamard", QuantizerSpec.builder(QuantizerType.HADAMARD).levels(16)
            .bucketSize(6), new int[] {2, 2, 9}, x -> { });
    /** none over 3+4. */
    public static final Base NONE = base("none", QuantizerSpec.builder(QuantizerType.NONE).bucketSize(4), new int[] {3, 4},
            x -> { });

    public static final List<Base> BASES = List.of(STANDARD, SMART, EXPONENTIAL, HADAMARD, NONE);

    private interface Shaper {
        void shape(float[] x);
    }

    private static Base base(String name, QuantizerSpec.Builder spec, int[] lengths, Shaper shaper) {
        QuantizerSpec s = spec.seed(77).build();
        float[] x = TestData.gradientLike(Arrays.stream(lengths).sum(), 123);
        shaper.shape(x);
        Segments segments = TestData.directSegments(x, lengths);
        ByteBuffer out = ByteBuffer.allocate((int) WireFormat.maxEncodedBytes(s, segments.lengths()));
        new JavaBackend().encode(s, 5, segments, out, false);
        out.flip();
        return new Base(name, s, lengths, MessageBytes.of(out));
    }

    /** Every way of breaking the base messages, each with the field the decoder must name. */
    public static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        for (Base b : BASES) {
            int length = b.message().length();
            all.add(new Case(b, "empty", m -> m.resize(0), false, "message length"));
            all.add(new Case(b, "83 bytes", m -> m.resize(83), false, "message length"));
            all.add(new Case(b, "truncated by one byte", m -> m.resize(length - 1), false, "message length"));
            all.add(new Case(b, "truncated to its header", m -> m.resize(84), false, "message length"));
            all.add(new Case(b, "8 bytes too many", m -> m.resize(length + 8), false, "message length"));
            all.add(new Case(b, "length field one more", m -> m.lengthField(length + 1), true, "message length"));
            all.add(new Case(b, "length field 2^63", m -> m.lengthField(Long.MIN_VALUE), true, "message length"));
            all.add(new Case(b, "wrong magic", m -> m.u8(0, 'g'), true, "magic"));
            all.add(new Case(b, "version 2", m -> m.u16(WireFormat.AT_VERSION, 2), true, "format version"));
            all.add(new Case(b, "version 0", m -> m.u16(WireFormat.AT_VERSION, 0), true, "format version"));
            all.add(new Case(b, "checksum flipped", m -> m.u8(length - 1, m.u8(length - 1) ^ 0x10), false, "checksum"));
            all.add(new Case(b, "a header byte flipped", m -> m.u8(WireFormat.AT_SEED, m.u8(WireFormat.AT_SEED) ^ 1), false, "checksum"));
            all.add(new Case(b, "the last byte before the checksum flipped", m -> m.u8(length - 5, m.u8(length - 5) ^ 0x80), false,
                    "checksum"));
            all.add(new Case(b, "quantizer id 5", m -> m.u8(WireFormat.AT_QUANTIZER, 5), true, "quantizer id"));
            all.add(new Case(b, "quantizer id 255", m -> m.u8(WireFormat.AT_QUANTIZER, 255), true, "quantizer id"));
            all.add(new Case(b, "layout 2", m -> m.u8(WireFormat.AT_LAYOUT, 2), true, "layout"));
            all.add(new Case(b, "levels 1", m -> m.u16(WireFormat.AT_LEVELS, 1), true, "levels"));
            all.add(new Case(b, "levels 257", m -> m.u16(WireFormat.AT_LEVELS, 257), true, "levels"));
            all.add(new Case(b, "levels 65535", m -> m.u16(WireFormat.AT_LEVELS, 65535), true, "levels"));
            all.add(new Case(b, "code bits one more", m -> m.u8(WireFormat.AT_CODE_BITS, m.u8(WireFormat.AT_CODE_BITS) + 1), true,
                    "code bits"));
            all.add(new Case(b, "norm 2", m -> m.u8(WireFormat.AT_NORM, 2), true, "exponential norm"));
            all.add(new Case(b, "bucket size 0", m -> m.i32(WireFormat.AT_BUCKET_SIZE, 0), true, "bucket size"));
            all.add(new Case(b, "bucket size 2^31", m -> m.i32(WireFormat.AT_BUCKET_SIZE, Integer.MIN_VALUE), true, "bucket size"));
            all.add(new Case(b, "element count one more", m -> m.i64(WireFormat.AT_ELEMENTS, m.i64(WireFormat.AT_ELEMENTS) + 1),
                    true, "element count"));
            all.add(new Case(b, "element count 2^62 + 1", m -> m.i64(WireFormat.AT_ELEMENTS, (1L << 62) + 1), true, "element count"));
            all.add(new Case(b, "element count 2^64 - 1", m -> m.i64(WireFormat.AT_ELEMENTS, -1), true, "element count"));
            all.add(new Case(b, "bucket count one more", m -> m.i64(WireFormat.AT_BUCKETS, m.buckets() + 1), true, "bucket count"));
            all.add(new Case(b, "bucket count 2^63", m -> m.i64(WireFormat.AT_BUCKETS, Long.MIN_VALUE), true, "bucket count"));
            all.add(new Case(b, "raw value count 2^64 - 1", m -> m.i64(WireFormat.AT_RAW_VALUES, -1), true, "raw value count"));
            all.add(new Case(b, "raw value count more than the elements",
                    m -> m.i64(WireFormat.AT_RAW_VALUES, m.i64(WireFormat.AT_ELEMENTS) + 1), true, "raw value count"));
            all.add(new Case(b, "smart fraction NaN", m -> m.f64(WireFormat.AT_SMART_FRACTION, Double.NaN), true, "smart fraction"));
            all.add(new Case(b, "smart fraction 1.5", m -> m.f64(WireFormat.AT_SMART_FRACTION, 1.5), true, "smart fraction"));
            all.add(new Case(b, "segment count 2^32 - 1", m -> m.i32(WireFormat.AT_SEGMENTS, -1), true, "segment count"));
            all.add(new Case(b, "segment count past the message", m -> m.i32(WireFormat.AT_SEGMENTS, (length - 84) / 8 + 1), true,
                    "segment count"));
            all.add(new Case(b, "segment count one more", m -> m.i32(WireFormat.AT_SEGMENTS, m.segmentCount() + 1), true,
                    "segment count"));
            all.add(new Case(b, "reserved 1", m -> m.i32(WireFormat.AT_RESERVED, 1), true, "reserved"));
            all.add(new Case(b, "first segment one longer", m -> m.i64(80, m.i64(80) + 1), true, "segment lengths"));
            all.add(new Case(b, "first segment 2^64 - 1", m -> m.i64(80, -1), true, "segment lengths"));
            all.add(new Case(b, "a segment moved to the next", m -> m.i64(80, m.i64(80) - 1).i64(88, m.i64(88) + 1), true,
                    "segment lengths"));
        }
        addQuantizerCases(all);
        return all;
    }

    private static void addQuantizerCases(List<Case> all) {
        // the fields that depend on the quantizer
        all.add(new Case(STANDARD, "levels 2 (1-bit codes)", m -> m.u16(WireFormat.AT_LEVELS, 2), true, "code bits"));
        all.add(new Case(STANDARD, "norm 1", m -> m.u8(WireFormat.AT_NORM, 1), true, "exponential norm"));
        all.add(new Case(STANDARD, "smart fraction 0.5", m -> m.f64(WireFormat.AT_SMART_FRACTION, 0.5), true, "smart fraction"));
        all.add(new Case(STANDARD, "smart fraction -0.0", m -> m.f64(WireFormat.AT_SMART_FRACTION, -0.0), true, "smart fraction"));
        all.add(new Case(SMART, "smart fraction 0", m -> m.f64(WireFormat.AT_SMART_FRACTION, 0.0), true, "smart fraction"));
        all.add(new Case(SMART, "smart fraction -0.25", m -> m.f64(WireFormat.AT_SMART_FRACTION, -0.25), true, "smart fraction"));
        all.add(new Case(EXPONENTIAL, "levels 3", m -> m.u16(WireFormat.AT_LEVELS, 3).u8(WireFormat.AT_CODE_BITS, 2), true, "levels"));
        all.add(new Case(NONE, "code bits 1", m -> m.u8(WireFormat.AT_CODE_BITS, 1), true, "code bits"));
        all.add(new Case(NONE, "bucket count 2", m -> m.i64(WireFormat.AT_BUCKETS, 2), true, "bucket count"));
        all.add(new Case(NONE, "raw value count one less", m -> m.i64(WireFormat.AT_RAW_VALUES, 6), true, "raw value count"));
        all.add(new Case(HADAMARD, "layout per-segment (other bucket count)", m -> m.u8(WireFormat.AT_LAYOUT, 1), true,
                "bucket count"));
        all.add(new Case(HADAMARD, "quantizer standard (other code sizes)", m -> m.u8(WireFormat.AT_QUANTIZER, 1), true,
                "message length"));
        // the parts between the fields
        all.add(new Case(STANDARD, "padding after the table", m -> m.u8(m.codesOffset() - 1, 1), true, "padding"));
        all.add(new Case(SMART, "padding after the codes", m -> m.u8(firstRawByte(m) - 1, 4), true, "padding"));
        all.add(new Case(STANDARD, "no raw values though a record is RAW", m -> {
            int raw = firstRawByte(m);
            return m.i64(WireFormat.AT_RAW_VALUES, 0).lengthField(raw + 4).resize(raw + 4);
        }, true, "raw value count"));
        all.add(new Case(STANDARD, "RAW record turned CONSTANT", m -> m.u8(m.recordOffset(m.firstBucketOfKind(WireFormat.KIND_RAW)),
                WireFormat.KIND_CONSTANT), true, "raw value count"));
        all.add(new Case(STANDARD, "CONSTANT record turned RAW", m -> {
            int at = m.recordOffset(m.firstBucketOfKind(WireFormat.KIND_CONSTANT));
            return m.u8(at, WireFormat.KIND_RAW).f32(at + WireFormat.AT_CONSTANT_VALUE, 0.0f);
        }, true, "raw value count"));
        // records
        for (Base b : List.of(STANDARD, SMART, EXPONENTIAL, HADAMARD)) {
            all.add(new Case(b, "kind 3", m -> m.u8(m.recordOffset(0), 3), true, "kind"));
            all.add(new Case(b, "kind 255", m -> m.u8(m.recordOffset(0), 255), true, "kind"));
        }
        for (Base b : List.of(STANDARD, HADAMARD)) {
            all.add(new Case(b, "lo NaN", m -> m.f32(m.recordOffset(0) + WireFormat.AT_LO, Float.NaN), true, "lo"));
            all.add(new Case(b, "lo -Inf", m -> m.f32(m.recordOffset(0) + WireFormat.AT_LO, Float.NEGATIVE_INFINITY), true, "lo"));
            all.add(new Case(b, "lo -0", m -> m.f32(m.recordOffset(0) + WireFormat.AT_LO, -0.0f), true, "lo"));
            all.add(new Case(b, "hi +Inf", m -> m.f32(m.recordOffset(0) + WireFormat.AT_HI, Float.POSITIVE_INFINITY), true, "hi"));
            all.add(new Case(b, "hi = lo", m -> m.f32(m.recordOffset(0) + WireFormat.AT_HI, m.f32(m.recordOffset(0) + WireFormat.AT_LO)),
                    true, "hi"));
            all.add(new Case(b, "hi below lo", m -> m.f32(m.recordOffset(0) + WireFormat.AT_HI,
                    m.f32(m.recordOffset(0) + WireFormat.AT_LO) - 1.0f), true, "hi"));
        }
        all.add(new Case(SMART, "point count 1", m -> m.u16(m.recordOffset(0) + WireFormat.AT_POINT_COUNT, 1), true, "point count"));
        all.add(new Case(SMART, "point count 9 > levels", m -> m.u16(m.recordOffset(0) + WireFormat.AT_POINT_COUNT, 9), true,
                "point count"));
        all.add(new Case(SMART, "points not ascending", m -> m.f32(m.recordOffset(0) + WireFormat.AT_POINTS + 4,
                m.f32(m.recordOffset(0) + WireFormat.AT_POINTS)), true, "points"));
        all.add(new Case(SMART, "a point NaN", m -> m.f32(m.recordOffset(0) + WireFormat.AT_POINTS + 8, Float.NaN), true, "points"));
        all.add(new Case(SMART, "a point -0", m -> m.f32(m.recordOffset(0) + WireFormat.AT_POINTS, -0.0f)
                .f32(m.recordOffset(0) + WireFormat.AT_POINTS + 4, Math.abs(m.f32(m.recordOffset(0) + WireFormat.AT_POINTS + 4))
                        + Float.MIN_VALUE), true, "points"));
        all.add(new Case(SMART, "a nonzero point past the count", m -> m.u16(m.recordOffset(1) + WireFormat.AT_POINT_COUNT,
                m.u16(m.recordOffset(1) + WireFormat.AT_POINT_COUNT) - 1), true, "points"));
        all.add(new Case(EXPONENTIAL, "norm 0", m -> m.f64(m.recordOffset(0) + WireFormat.AT_NORM_VALUE, 0.0), true, "norm"));
        all.add(new Case(EXPONENTIAL, "norm -1", m -> m.f64(m.recordOffset(0) + WireFormat.AT_NORM_VALUE, -1.0), true, "norm"));
        all.add(new Case(EXPONENTIAL, "norm NaN", m -> m.f64(m.recordOffset(0) + WireFormat.AT_NORM_VALUE, Double.NaN), true, "norm"));
        all.add(new Case(EXPONENTIAL, "norm +Inf", m -> m.f64(m.recordOffset(0) + WireFormat.AT_NORM_VALUE, Double.POSITIVE_INFINITY),
                true, "norm"));
        all.add(new Case(EXPONENTIAL, "top 1", m -> m.u16(m.recordOffset(0) + WireFormat.AT_TOP, 1), true, "top"));
        all.add(new Case(EXPONENTIAL, "top -33", m -> m.u16(m.recordOffset(0) + WireFormat.AT_TOP, -33), true, "top"));
        all.add(new Case(EXPONENTIAL, "norm 1e39: the top point overflows float32",
                m -> m.f64(m.recordOffset(0) + WireFormat.AT_NORM_VALUE, 1e39), true, "top"));
        all.add(new Case(STANDARD, "CONSTANT record padding", m -> m.u8(m.recordOffset(m.firstBucketOfKind(WireFormat.KIND_CONSTANT)) + 8,
                1), true, "record padding"));
        all.add(new Case(STANDARD, "RAW record padding", m -> m.u8(m.recordOffset(m.firstBucketOfKind(WireFormat.KIND_RAW)) + 1, 1),
                true, "record padding"));
        // codes
        all.add(new Case(STANDARD, "a code byte of a CONSTANT bucket", m -> m.u8(m.codesOffset() + 2, 1), true, "code padding"));
        all.add(new Case(STANDARD, "a code byte of a RAW bucket", m -> m.u8(m.codesOffset() + 5, 0x80), true, "code padding"));
        all.add(new Case(STANDARD, "unused bits of a bucket's last code byte", m -> m.u8(m.codesOffset() + 1,
                m.u8(m.codesOffset() + 1) | 0x40), true, "code padding"));
        all.add(new Case(STANDARD, "code 3 at 3 levels", m -> m.u8(m.codesOffset(), m.u8(m.codesOffset()) | 0x03), true, "code"));
        all.add(new Case(STANDARD, "last code 3 at 3 levels", m -> m.u8(m.codesOffset() + 7, m.u8(m.codesOffset() + 7) | 0x03), true,
                "code"));
        all.add(new Case(SMART, "code 7 in a bucket of 4 points", m -> m.u8(smartFourPointCodes(m), m.u8(smartFourPointCodes(m)) | 0x07),
                true, "code"));
        all.add(new Case(EXPONENTIAL, "magnitude index 15 > K = 7", m -> m.u8(m.codesOffset(), m.u8(m.codesOffset()) | 0x0F), true,
                "code"));
        all.add(new Case(EXPONENTIAL, "magnitude index 8 > K = 7 with the sign", m -> m.u8(m.codesOffset() + 5,
                (m.u8(m.codesOffset() + 5) & 0xE0) | 0x18), true, "code"));
    }

    /** The first byte of the raw area (A). */
    static int firstRawByte(MessageBytes m) {
        return m.length() - 4 - 4 * (int) m.i64(WireFormat.AT_RAW_VALUES);
    }

    /** The first code byte of SMART's bucket of 4 values (so 4 points): buckets of 16, 4 and 11 values, 3-bit codes. */
    private static int smartFourPointCodes(MessageBytes m) {
        return m.codesOffset() + 6;
    }
}
