package io.gradquant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.backend.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Constant buckets, zeros, NaN/Inf, values near the float32 limits, and the per-segment layout. */
class EdgeCaseTest {
    static Stream<Arguments> typesAndBackends() {
        List<Arguments> all = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            for (String backend : List.of("java", "cpu")) {
                all.add(Arguments.of(type, backend));
            }
        }
        return all.stream();
    }

    static Stream<String> backends() {
        return Stream.of("java", "cpu");
    }

    static QuantizerSpec spec(QuantizerType type) {
        return QuantizerSpec.builder(type).bucketSize(64).levels(8).seed(3).build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndBackends")
    void zerosStayZeros(QuantizerType type, String backend) {
        float[] x = new float[300];
        TestData.Result r = TestData.quantize(TestData.backend(backend), spec(type), 0, x);
        assertArrayEquals(x, r.output());
        assertEquals(0.0, r.stats().variance());
        assertEquals(0.0, r.stats().normalizedVariance());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndBackends")
    void constantBucketsAreExactForStandardAndSmart(QuantizerType type, String backend) {
        float[] x = new float[200];
        Arrays.fill(x, -0.25f);
        TestData.Result r = TestData.quantize(TestData.backend(backend), spec(type), 0, x);
        if (type == QuantizerType.STANDARD || type == QuantizerType.SMART || type == QuantizerType.NONE) {
            assertArrayEquals(x, r.output());
            assertEquals(0.0, r.stats().variance());
        }
        for (float v : r.output()) {
            assertTrue(Float.isFinite(v));
        }
    }

    /** A bucket holding NaN or Inf is left as it is and counted; the others are quantized as usual. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndBackends")
    void nonFiniteBucketsAreLeftUnchangedAndCounted(QuantizerType type, String backend) {
        Backend b = TestData.backend(backend);
        float[] x = TestData.gradientLike(64 * 5 + 10, 8);
        float[] clean = x.clone();
        Arrays.fill(clean, 64, 128, 0.0f);
        Arrays.fill(clean, 256, 320, 0.0f);
        x[70] = Float.NaN;
        x[300] = Float.NEGATIVE_INFINITY;
        TestData.Result r = TestData.quantize(b, spec(type), 2, x);
        TestData.Result expected = TestData.quantize(b, spec(type), 2, clean);
        assertEquals(2, r.stats().nonFiniteBuckets());
        for (int i = 0; i < x.length; i++) {
            boolean untouched = (i >= 64 && i < 128) || (i >= 256 && i < 320);
            float want = untouched ? x[i] : expected.output()[i];
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(r.output()[i]), "element " + i);
        }
        assertEquals(expected.stats().variance(), r.stats().variance(), 1e-12 * expected.stats().variance());
    }

    /** Values near +-FLT_MAX: no overflow for standard/smart; hadamard and exponential refuse what does not fit. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndBackends")
    void hugeValuesNeverTurnIntoInfinity(QuantizerType type, String backend) {
        float[] x = {Float.MAX_VALUE, -Float.MAX_VALUE, 1e38f, -3e37f, 0f, 2.5e38f, -1e30f, 7f};
        TestData.Result r = TestData.quantize(TestData.backend(backend),
                QuantizerSpec.builder(type).bucketSize(8).levels(8).build(), 1, x);
        for (float v : r.output()) {
            assertTrue(Float.isFinite(v), type + " produced " + v);
        }
        if (type == QuantizerType.HADAMARD || type == QuantizerType.EXPONENTIAL) {
            // the rotation's sums, and the L2 norm's top point, exceed float32: left unchanged
            assertEquals(1, r.stats().nonFiniteBuckets());
            assertArrayEquals(x, r.output());
        } else {
            assertEquals(0, r.stats().nonFiniteBuckets());
        }
    }

    /** Subnormal inputs are quantized on their own grid, unbiasedly, without flushing to zero. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("typesAndBackends")
    void subnormalValuesAreQuantizedUnbiasedly(QuantizerType type, String backend) {
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.MIN_VALUE * (i * 37 % 101) * (i % 3 == 0 ? -1 : 1);
        }
        Backend b = TestData.backend(backend);
        QuantizerSpec spec = spec(type);
        int repeats = 400;
        double[] mean = new double[x.length];
        double variance = 0;
        for (int k = 0; k < repeats; k++) {
            TestData.Result r = TestData.quantize(b, spec, k, x);
            variance += r.stats().variance() / repeats;
            for (int i = 0; i < x.length; i++) {
                mean[i] += (double) r.output()[i] / repeats;
            }
        }
        double bias = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            bias += (mean[i] - x[i]) * (mean[i] - x[i]);
            norm += (double) x[i] * x[i];
        }
        // as in QuantizerMatrixTest: E||mean - x||^2 = V/K, plus the double rounding of the mean;
        // hadamard's rotation rounds subnormals to the float grid, about 2^-24 of the bucket's range
        double slack = norm * (type == QuantizerType.HADAMARD ? 1e-3 : 1e-12);
        assertTrue(bias <= 1.5 * variance / repeats + slack, "bias " + bias + " V/K " + variance / repeats);
    }

    /**
     * Per-segment layout: every bucket stays inside its segment, so outputs stay within that
     * bucket's range. Checked on standard, whose range is explicit; every quantizer shares the
     * bucket plan (and BackendEquivalenceTest runs all of them in both layouts).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void perSegmentBucketsStayInsideSegments(String backend) {
        QuantizerType type = QuantizerType.STANDARD;
        int[] lengths = {100, 0, 1, 250, 64};
        float[] x = TestData.gradientLike(415, 4);
        Segments s = TestData.directSegments(x, lengths);
        QuantizerSpec spec = spec(type).toBuilder().layout(BucketLayout.PER_SEGMENT).build();
        QuantStats stats = TestData.backend(backend).quantize(spec, 0, s);
        float[] out = TestData.flatten(s);
        long buckets = 0;
        int at = 0;
        for (int length : lengths) {
            for (int start = at; start < at + length; start += 64) {
                int end = Math.min(at + length, start + 64);
                buckets++;
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = start; i < end; i++) {
                    min = Math.min(min, x[i]);
                    max = Math.max(max, x[i]);
                }
                for (int i = start; i < end; i++) {
                    assertTrue(out[i] >= min && out[i] <= max, "element " + i + " left its segment's bucket range");
                }
            }
            at += length;
        }
        assertEquals(buckets, stats.buckets());
    }

    /**
     * Signed zeros: a -0 that lies on a point becomes the point (+0, as points hold no -0 and a
     * message could not tell the two apart), and the cpu backend does exactly what java does,
     * AVX-512 and scalar loops alike.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void negativeZerosOnAPointBecomeThePointOnEveryBackend(QuantizerType type) {
        float[] x = TestData.gradientLike(64 * 6 + 9, 12);
        for (int i = 0; i < x.length; i += 5) {
            x[i] = -0.0f;
        }
        for (int i = 64; i < 128; i++) {
            x[i] = Math.abs(x[i]); // a bucket whose minimum, and so a point, is 0
        }
        x[64] = -0.0f;
        x[65] = 0.0f;
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(64).levels(8).seed(3).build();
        TestData.backend("cpu").close(); // loads the native library, which the vector levels live in
        BackendEquivalenceTest.assertCpuEqualsJavaAtEveryVectorLevel(spec, 4, x, new int[] {x.length});
        if (type == QuantizerType.SMART) {
            float[] out = TestData.quantize(TestData.backend("java"), spec, 4, x).output();
            assertEquals(0, Float.floatToRawIntBits(out[64]), "-0 on the point 0 must become +0");
        }
    }

    static Stream<QuantizerType> types() {
        return Stream.of(QuantizerType.values());
    }
}
