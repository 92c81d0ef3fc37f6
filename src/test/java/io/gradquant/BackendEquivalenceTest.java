package io.gradquant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gradquant.backend.CpuBackend;
import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native cpu backend equals the java reference element for element (same Philox stream, same
 * arithmetic), for every quantizer, both layouts, segments of length 0 and 1, buckets spanning
 * segments, and any thread count. Statistics agree to summation-order rounding.
 */
class BackendEquivalenceTest {
    static final int[][] SEGMENT_LENGTHS = {
        {5000},
        {0, 1, 700, 0, 3, 1300, 1, 0},
        {511, 1, 512, 513, 2000},
    };

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            for (BucketLayout layout : BucketLayout.values()) {
                for (int bucket : new int[] {1, 3, 512, 1000, 4096}) {
                    for (int[] lengths : SEGMENT_LENGTHS) {
                        all.add(Arguments.of(type, layout, bucket, lengths));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} bucket={2} segments={3}")
    @MethodSource("cases")
    void cpuEqualsJavaBitForBit(QuantizerType type, BucketLayout layout, int bucket, int[] lengths) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(bucket).layout(layout).seed(77).levels(16)
                .smartFraction(0.02).build();
        assertCpuEqualsJavaAtEveryVectorLevel(spec, 3, TestData.gradientLike(IntStream.of(lengths).sum(), 99 + bucket),
                lengths);
    }

    /** At every vector level the cpu backend quantizes as java does (TestData.assertSameAsJava). */
    static void assertCpuEqualsJavaAtEveryVectorLevel(QuantizerSpec spec, long step, float[] x, int[] lengths) {
        for (int level : vectorLevels()) {
            CpuBackend.setVectorLevel(level);
            TestData.assertSameAsJava(spec, new CpuBackend(2), step, x, lengths, "vector level " + level);
        }
    }

    /** Large enough that the cpu backend really splits the buckets over threads. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void threadedCallsEqualTheReference(QuantizerType type) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(500).seed(5).build();
        float[] x = TestData.gradientLike(300_001, 11);
        float[] expected = TestData.quantize(new JavaBackend(), spec, 1, x).output();
        for (int level : vectorLevels()) {
            CpuBackend.setVectorLevel(level);
            for (int threads : new int[] {1, 2, 4}) {
                float[] actual = TestData.quantize(new CpuBackend(threads), spec, 1, x).output();
                assertArrayEquals(QuantizerMatrixTest.bits(expected), QuantizerMatrixTest.bits(actual),
                        "threads=" + threads + " vector level " + level);
            }
        }
    }

    /**
     * Level counts, norms and Hadamard sizes on both sides of the vector loops' switches (the
     * AVX-512 standard rounding looks levels up in a table below 33 levels and computes them
     * above; the AVX-512 transform runs blocks of 1 to 8 registers, then one- or two-stage passes),
     * at every vector level.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void optionsEqualJavaAtEveryVectorLevel(QuantizerSpec spec) {
        int[] lengths = {1500, 37, 900};
        assertCpuEqualsJavaAtEveryVectorLevel(spec, 6, TestData.gradientLike(IntStream.of(lengths).sum(), 31), lengths);
    }

    static Stream<QuantizerSpec> options() {
        Stream.Builder<QuantizerSpec> all = Stream.builder();
        for (int levels : new int[] {2, 3, 16, 32, 33, 256}) {
            all.add(QuantizerSpec.builder(QuantizerType.STANDARD).levels(levels).bucketSize(700).build());
            all.add(QuantizerSpec.builder(QuantizerType.HADAMARD).levels(levels).bucketSize(512).build());
        }
        for (int bucket : new int[] {16, 20, 40, 100, 200, 2000, 2437}) {  // padded: 16 .. 4096
            all.add(QuantizerSpec.builder(QuantizerType.HADAMARD).bucketSize(bucket).build());
        }
        for (int levels : new int[] {4, 16, 256}) {
            all.add(QuantizerSpec.builder(QuantizerType.EXPONENTIAL).levels(levels).bucketSize(700).build());
            all.add(QuantizerSpec.builder(QuantizerType.EXPONENTIAL).levels(levels).bucketSize(700)
                    .exponentialNorm(ExponentialNorm.MAX).build());
        }
        return all.build();
    }

    /** Every vector level this processor has (scalar, AVX2, AVX-512), best last so it stays in force. */
    static int[] vectorLevels() {
        int best = CpuBackend.setVectorLevel(Integer.MAX_VALUE);
        return IntStream.rangeClosed(0, best).toArray();
    }

    /** Spanning buckets over several segments give exactly what one concatenated segment gives. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void spanningSegmentsEqualOneConcatenatedSegment(QuantizerType type) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(512).seed(5).build();
        float[] x = TestData.gradientLike(5000, 12);
        for (String backend : List.of("java", "cpu")) {
            Segments split = TestData.directSegments(x, 0, 1, 700, 0, 3, 1300, 1, 2995);
            TestData.backend(backend).quantize(spec, 4, split);
            float[] whole = TestData.quantize(TestData.backend(backend), spec, 4, x).output();
            assertArrayEquals(QuantizerMatrixTest.bits(whole), QuantizerMatrixTest.bits(TestData.flatten(split)), backend);
        }
    }

    static Stream<QuantizerType> types() {
        return Stream.of(QuantizerType.values());
    }
}
