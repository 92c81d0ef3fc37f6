package io.gradquant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.BucketLayout;
import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.backend.Backend;
import io.gradquant.reference.JavaBackend;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of encode, decode and decodeAdd on one backend, against in-place quantize and the
 * java reference's messages: every quantizer x bucket size x levels x layout, over segments that
 * buckets span (or restart in), with a partial last bucket and buckets that in-place quantize
 * leaves unchanged (NaN, Inf, constant, mixed -0/+0, hadamard's constant and overflowing
 * rotations, exponential's overflowing points). A backend's test extends this class and says how
 * to make the backend ({@link #newBackend()}); a backend with a slower test path can hide
 * {@link #cases()} with a smaller static method of the same name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RoundTripContract {
    private Backend backend;
    private final JavaBackend reference = new JavaBackend();

    /** The backend under test; closed after the class's tests. */
    protected abstract Backend newBackend();

    @BeforeAll
    void open() {
        backend = newBackend();
    }

    @AfterAll
    void close() {
        backend.close();
    }

    static final int[] BUCKETS = {1, 3, 512, 1000, 4096};
    static final int[] LEVELS = {2, 3, 4, 16, 17, 255, 256};

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            for (int bucket : BUCKETS) {
                for (int levels : LEVELS) {
                    if (levels < WireFormat.minLevels(type)) {
                        continue;
                    }
                    for (BucketLayout layout : BucketLayout.values()) {
                        all.add(Arguments.of(type, bucket, levels, layout));
                    }
                }
            }
        }
        return all.stream();
    }

    static QuantizerSpec spec(QuantizerType type, int bucket, int levels, BucketLayout layout) {
        return QuantizerSpec.builder(type).bucketSize(bucket).levels(levels).layout(layout).seed(11)
                .smartFraction(0.05).build();
    }

    /** Nine buckets and a partial tenth, cut into segments that buckets span, with an empty one. */
    static int[] lengths(int bucket) {
        int n = 9 * bucket + Math.max(1, bucket / 2) + (bucket == 1 ? 0 : 1);
        int first = n / 3 + 1;
        int second = n / 2;
        return new int[] {first, 0, second, n - first - second};
    }

    /**
     * Gradient-like values, with buckets 1 to 7 (by the spec's plan) made into the buckets in-place
     * quantize treats specially: NaN, constant, all ±0 mixed, -0 beside positive values (smart's -0
     * on the point 0), +Inf, values near ±FLT_MAX (hadamard's rotation and exponential's top point
     * overflow), and only the first value nonzero (hadamard's constant rotation).
     */
    static float[] input(QuantizerSpec spec, int[] lengths, long seed) {
        int n = Arrays.stream(lengths).sum();
        float[] x = TestData.gradientLike(n, seed);
        io.gradquant.backend.BucketPlan plan = io.gradquant.backend.BucketPlan.of(spec.layout(), spec.bucketSize(),
                Arrays.stream(lengths).asLongStream().toArray());
        for (long b = 1; b < Math.min(8, plan.buckets()); b++) {
            int start = (int) plan.start(b);
            int len = plan.length(b);
            for (int i = 0; i < len; i++) {
                int at = start + i;
                x[at] = switch ((int) b) {
                    case 1 -> i == len / 2 ? Float.NaN : x[at];
                    case 2 -> 0.375f;
                    case 3 -> i % 2 == 0 ? -0.0f : 0.0f;
                    case 4 -> i == 0 ? -0.0f : Math.abs(x[at]) + Float.MIN_VALUE;
                    case 5 -> i == len - 1 ? Float.POSITIVE_INFINITY : x[at];
                    case 6 -> i % 3 == 0 ? -3.0e38f : 3.0e38f;
                    default -> i == 0 ? 1.5f : 0.0f;
                };
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0} bucket={1} levels={2} {3}")
    @MethodSource("cases")
    void decodeOfEncodeIsInPlaceQuantizeBitForBit(QuantizerType type, int bucket, int levels, BucketLayout layout) {
        QuantizerSpec spec = spec(type, bucket, levels, layout);
        int[] lengths = lengths(bucket);
        float[] x = input(spec, lengths, 100 + bucket + levels);
        long step = 3;

        Segments inPlace = TestData.directSegments(x, lengths);
        QuantStats quantizeStats = backend.quantize(spec, step, inPlace);
        int[] expected = bits(TestData.flatten(inPlace));

        // encode without write-back: the input stays as it was
        Segments input = TestData.directSegments(x, lengths);
        ByteBuffer message = encode(backend, spec, step, input, false);
        assertArrayEquals(bits(x), bits(TestData.flatten(input)), "encode without write-back changed its input");

        // encode with write-back: Q(x) in place, the same message, the same statistics
        Segments written = TestData.directSegments(x, lengths);
        ByteBuffer again = ByteBuffer.allocateDirect((int) WireFormat.maxEncodedBytes(spec, longs(lengths)));
        Encoded encoded = backend.encode(spec, step, written, again, true);
        again.flip();
        assertArrayEquals(expected, bits(TestData.flatten(written)), "write-back differs from in-place quantize");
        assertEquals(message, again, "write-back changed the message");
        assertSameStats(quantizeStats, encoded.stats());

        // the java reference writes the same bytes
        assertEquals(encode(reference, spec, step, TestData.directSegments(x, lengths), false), message,
                "message differs from the java reference's");

        // decode overwrites whatever the destination held
        float[] garbage = new float[x.length];
        Arrays.fill(garbage, -7.25f);
        Segments decoded = TestData.directSegments(garbage, lengths);
        backend.decode(message, decoded);
        assertArrayEquals(expected, bits(TestData.flatten(decoded)), "decode(encode(x)) differs from in-place quantize");
        assertEquals(0, message.position(), "decode moved the message's position");

        // decodeAdd: d + w * q in float32, rounded twice
        float weight = 0.75f;
        float[] base = TestData.gradientLike(x.length, 7);
        Segments sum = TestData.directSegments(base, lengths);
        backend.decodeAdd(message, sum, weight);
        float[] q = TestData.flatten(decoded);
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float product = weight * q[i];
            want[i] = base[i] + product;
        }
        assertArrayEquals(bits(want), bits(TestData.flatten(sum)), "decodeAdd differs from decode plus add");

        assertSizeIsTheDocumentedFormula(spec, lengths, MessageBytes.of(message));
    }

    /** Encodes {@code segments} into a buffer of exactly maxEncodedBytes; returns the message (position 0). */
    static ByteBuffer encode(Backend backend, QuantizerSpec spec, long step, Segments segments, boolean writeBack) {
        long max = WireFormat.maxEncodedBytes(spec, segments.lengths());
        ByteBuffer out = ByteBuffer.allocateDirect((int) max + 13);
        // the message starts mid-buffer, over garbage: every byte of it must be written
        for (int i = 0; i < out.capacity(); i++) {
            out.put(i, (byte) 0xA5);
        }
        out.position(13);
        Encoded e = backend.encode(spec, step, segments, out, writeBack);
        assertEquals(13 + e.bytes(), out.position(), "encode must advance the position by the message length");
        return out.flip().position(13).slice();
    }

    /** L = align8(align8(80 + 8S + B·R) + Σ ceil(c_k·b/8)) + 4V + 4, with B, c_k and V found independently. */
    static void assertSizeIsTheDocumentedFormula(QuantizerSpec spec, int[] lengths, MessageBytes m) {
        List<Integer> buckets = new ArrayList<>();
        if (spec.type() != QuantizerType.NONE) {
            if (spec.layout() == BucketLayout.SPANNING) {
                cut(Arrays.stream(lengths).sum(), spec.bucketSize(), buckets);
            } else {
                for (int len : lengths) {
                    cut(len, spec.bucketSize(), buckets);
                }
            }
        }
        int r = switch (spec.type()) {
            case NONE -> 0;
            case STANDARD, HADAMARD -> 9;
            case SMART -> 3 + 4 * spec.levels();
            case EXPONENTIAL -> 11;
        };
        int b = spec.type() == QuantizerType.NONE ? 0 : (int) Math.ceil(Math.log(spec.levels()) / Math.log(2) - 1e-9);
        long codeBytes = 0;
        long raw = spec.type() == QuantizerType.NONE ? Arrays.stream(lengths).sum() : 0;
        for (int k = 0; k < buckets.size(); k++) {
            int n = buckets.get(k);
            long c = n;
            if (spec.type() == QuantizerType.HADAMARD) {
                c = 1;
                while (c < n) {
                    c *= 2;
                }
            }
            codeBytes += (c * b + 7) / 8;
            if (m.u8(m.recordOffset(k)) == WireFormat.KIND_RAW) {
                raw += n;
            }
        }
        long table = 80 + 8L * lengths.length;
        long codes = (table + (long) buckets.size() * r + 7) / 8 * 8;
        long rawAt = (codes + codeBytes + 7) / 8 * 8;
        assertEquals(rawAt + 4 * raw + 4, m.length(), "message length is not the documented formula");
        assertEquals(buckets.size(), m.buckets());
        assertEquals(raw, m.i64(WireFormat.AT_RAW_VALUES));
        assertEquals(WireFormat.encodedBytes(spec, longs(lengths), raw), m.length());
        assertTrue(m.length() <= WireFormat.maxEncodedBytes(spec, longs(lengths)));
    }

    private static void cut(int n, int bucket, List<Integer> into) {
        for (int at = 0; at < n; at += bucket) {
            into.add(Math.min(bucket, n - at));
        }
    }

    /** Which record kind each bucket gets: exactly what in-place quantize leaves unchanged, by its bits. */
    @Test
    void unchangedBucketsAreConstantWhenAllBitsAgreeAndRawOtherwise() {
        float nan = Float.intBitsToFloat(0x7fc00001);
        float[] x = {1, 2, 3, 4, /**/ 5, 5, 5, 5, /**/ -0.0f, 0, 0, 0, /**/ nan, 1, 2, 3, /**/ nan, nan, nan, nan,
            /**/ -0.0f, -0.0f, -0.0f, -0.0f, /**/ 1.5f, 0, 0, 0, /**/ 3.4e38f, 3.4e38f, 0, 0, /**/ 7};
        int[] k = {WireFormat.KIND_QUANTIZED, WireFormat.KIND_CONSTANT, WireFormat.KIND_RAW, WireFormat.KIND_RAW,
            WireFormat.KIND_CONSTANT, WireFormat.KIND_CONSTANT};
        assertKinds(QuantizerType.STANDARD, x, k, WireFormat.KIND_QUANTIZED, WireFormat.KIND_QUANTIZED,
                WireFormat.KIND_CONSTANT);
        assertKinds(QuantizerType.SMART, x, k, WireFormat.KIND_QUANTIZED, WireFormat.KIND_QUANTIZED,
                WireFormat.KIND_CONSTANT);
        // hadamard: a constant bucket of 5s rotates to a spike and is quantized; only its first
        // value nonzero, the rotation is constant: RAW; 3.4e38 + 3.4e38 overflows: RAW
        assertKinds(QuantizerType.HADAMARD, x, new int[] {WireFormat.KIND_QUANTIZED, WireFormat.KIND_QUANTIZED,
            WireFormat.KIND_RAW, WireFormat.KIND_RAW, WireFormat.KIND_CONSTANT, WireFormat.KIND_CONSTANT},
                WireFormat.KIND_RAW, WireFormat.KIND_RAW, WireFormat.KIND_CONSTANT);
        // exponential: constant nonzero buckets are quantized; the norm 4.8e38 overflows float32: RAW;
        // a single value is quantized (to itself)
        assertKinds(QuantizerType.EXPONENTIAL, x, new int[] {WireFormat.KIND_QUANTIZED, WireFormat.KIND_QUANTIZED,
            WireFormat.KIND_RAW, WireFormat.KIND_RAW, WireFormat.KIND_CONSTANT, WireFormat.KIND_CONSTANT},
                WireFormat.KIND_QUANTIZED, WireFormat.KIND_RAW, WireFormat.KIND_QUANTIZED);
    }

    private void assertKinds(QuantizerType type, float[] x, int[] first, int... rest) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(4).levels(4).build();
        Segments s = Segments.of(Segments.directCopy(x));
        MessageBytes m = MessageBytes.of(encode(backend, spec, 0, s, false));
        int[] want = new int[first.length + rest.length];
        System.arraycopy(first, 0, want, 0, first.length);
        System.arraycopy(rest, 0, want, first.length, rest.length);
        int[] got = new int[want.length];
        for (int b = 0; b < want.length; b++) {
            got[b] = m.u8(m.recordOffset(b));
        }
        assertArrayEquals(want, got, type + ": record kinds");
        for (int b = 0; b < want.length; b++) {
            if (want[b] == WireFormat.KIND_CONSTANT) {
                assertEquals(Float.floatToRawIntBits(x[4 * b]), Float.floatToRawIntBits(m.f32(m.recordOffset(b) + 1)),
                        type + ": the constant of bucket " + b + " keeps its bits");
            }
        }
    }

    /** The output buffer must hold maxEncodedBytes; a smaller one is refused before anything is written. */
    @Test
    void tooSmallAnOutputBufferIsRefusedUntouched() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(64).build();
        float[] x = TestData.gradientLike(1000, 5);
        Segments s = Segments.of(Segments.directCopy(x));
        int max = (int) WireFormat.maxEncodedBytes(spec, s.lengths());
        ByteBuffer out = ByteBuffer.allocateDirect(max - 1);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> backend.encode(spec, 0, s, out, true));
        assertTrue(e.getMessage().contains(Integer.toString(max)), e.getMessage());
        assertEquals(0, out.position());
        for (int i = 0; i < out.capacity(); i++) {
            assertEquals(0, out.get(i));
        }
        assertArrayEquals(bits(x), bits(TestData.flatten(s)), "a refused encode wrote back");
    }

    /** Several steps and seeds: the step and seed travel in the message, and hadamard's signs follow them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void seedAndStepTravelInTheMessage(QuantizerType type) {
        float[] x = TestData.gradientLike(3000, 9);
        for (long seed : new long[] {0, -1, Long.MIN_VALUE}) {
            for (long step : new long[] {0, 1L << 40, -5}) {
                QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(700).seed(seed).build();
                Segments inPlace = Segments.of(Segments.directCopy(x));
                backend.quantize(spec, step, inPlace);
                ByteBuffer message = encode(backend, spec, step, Segments.of(Segments.directCopy(x)), false);
                MessageBytes m = MessageBytes.of(message);
                assertEquals(seed, m.i64(WireFormat.AT_SEED));
                assertEquals(step, m.i64(WireFormat.AT_STEP));
                Segments decoded = Segments.of(Segments.directCopy(new float[x.length]));
                backend.decode(message, decoded);
                assertArrayEquals(bits(TestData.flatten(inPlace)), bits(TestData.flatten(decoded)),
                        type + " seed " + seed + " step " + step);
            }
        }
    }

    static Stream<QuantizerType> types() {
        return Stream.of(QuantizerType.values());
    }

    /** No segments, and segments that are all empty: a message with no buckets. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void emptyInputsMakeHeaderOnlyMessages(QuantizerType type) {
        QuantizerSpec spec = QuantizerSpec.builder(type).build();
        for (Segments s : new Segments[] {Segments.of(), TestData.directSegments(new float[0], 0, 0)}) {
            ByteBuffer message = encode(backend, spec, 0, s, true);
            assertEquals(WireFormat.align(80 + 8L * s.count()) + 4, message.remaining());
            backend.decode(message, s);
            backend.decodeAdd(message, s, 2.0f);
        }
    }

    static void assertSameStats(QuantStats want, QuantStats got) {
        assertEquals(want.buckets(), got.buckets());
        assertEquals(want.nonFiniteBuckets(), got.nonFiniteBuckets());
        assertEquals(want.variance(), got.variance(), 1e-12 * Math.abs(want.variance()));
        assertEquals(want.normSquared(), got.normSquared(), 1e-12 * Math.abs(want.normSquared()));
    }

    static long[] longs(int[] lengths) {
        return Arrays.stream(lengths).asLongStream().toArray();
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
