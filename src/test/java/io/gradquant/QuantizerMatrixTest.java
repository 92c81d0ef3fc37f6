package io.gradquant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.backend.Backend;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The quantizer test matrix: quantizer x backend x bucket size x element count (each count leaves
 * a partial last bucket). Every statistical threshold below is derived in its comment; the seeds
 * are fixed, so the tests are deterministic.
 */
class QuantizerMatrixTest {
    static final int REPEATS = 48;

    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        int[] buckets = {1, 3, 100, 512, 4096};
        for (QuantizerType type : QuantizerType.values()) {
            for (String backend : List.of("java", "cpu")) {
                for (int bucket : buckets) {
                    // a count that is not a multiple of the bucket size: a partial last bucket
                    int count = bucket == 4096 ? 3 * 4096 + 1001 : bucket == 1 ? 2001 : 20 * bucket + bucket / 2 + 1;
                    all.add(Arguments.of(type, backend, bucket, count));
                }
            }
        }
        return all.stream();
    }

    static QuantizerSpec spec(QuantizerType type, int bucket) {
        return QuantizerSpec.builder(type).bucketSize(bucket).levels(type == QuantizerType.EXPONENTIAL ? 8 : 4)
                .seed(42).smartFraction(0.05).build();
    }

    /**
     * Unbiasedness and the meaning of the variance statistic, from K = 48 independent steps.
     * <ul>
     * <li>E[Q(x)] = x, so for the mean m of K outputs E||m - x||^2 = V/K, with V the mean of the
     *     calls' variance statistics (calls are independent). A biased rounding adds sum(bias^2),
     *     which does not shrink with K. The sum runs over thousands of roughly independent terms,
     *     so its relative spread is about sqrt(3/n) (fourth moment of a bounded error), a few
     *     percent here: 1.5 V/K is a wide margin that still catches a bias worth V/(2K).</li>
     * <li>E||Q(x) - x||^2 = V per call (for hadamard only when there is no padding; dropping the
     *     padded coordinates can only lower it). Averaged over K calls and n elements the spread is
     *     below 1%, so [0.9 V, 1.1 V] holds.</li>
     * </ul>
     */
    @ParameterizedTest(name = "{0} {1} bucket={2} n={3}")
    @MethodSource("matrix")
    void unbiasedAndVarianceIsTheExpectedSquaredError(QuantizerType type, String backendName, int bucket, int n) {
        Backend backend = TestData.backend(backendName);
        QuantizerSpec spec = spec(type, bucket);
        float[] x = TestData.gradientLike(n, 1000 + bucket);
        double[] mean = new double[n];
        double meanVariance = 0;
        double meanSquaredError = 0;
        for (int k = 0; k < REPEATS; k++) {
            TestData.Result r = TestData.quantize(backend, spec, k, x);
            assertEquals(0, r.stats().nonFiniteBuckets());
            meanVariance += r.stats().variance() / REPEATS;
            for (int i = 0; i < n; i++) {
                mean[i] += (double) r.output()[i] / REPEATS;
                double e = (double) r.output()[i] - x[i];
                meanSquaredError += e * e / REPEATS;
            }
        }
        double biasSquared = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            biasSquared += (mean[i] - x[i]) * (mean[i] - x[i]);
            norm += (double) x[i] * x[i];
        }
        // float32 rounding of the output points adds at most ~2^-24 relative error per element
        double floatSlack = 1e-12 * norm;
        if (type == QuantizerType.NONE) {
            assertEquals(0.0, meanVariance);
            assertEquals(0.0, meanSquaredError);
            return;
        }
        assertTrue(biasSquared <= 1.5 * meanVariance / REPEATS + floatSlack,
                "||mean - x||^2 = " + biasSquared + " but V/K = " + meanVariance / REPEATS);
        if (meanVariance == 0) {
            assertTrue(meanSquaredError <= floatSlack, "no variance but error " + meanSquaredError);
            return;
        }
        boolean padded = type == QuantizerType.HADAMARD && (Integer.bitCount(bucket) != 1 || n % bucket != 0);
        assertTrue(meanSquaredError <= 1.1 * meanVariance, "MSE " + meanSquaredError + " > 1.1 V " + meanVariance);
        if (!padded) {
            assertTrue(meanSquaredError >= 0.9 * meanVariance, "MSE " + meanSquaredError + " < 0.9 V " + meanVariance);
        }
    }

    /** Every output lies on one of its bucket's points, with at most {@code levels} per bucket. */
    @ParameterizedTest(name = "{0} {1} bucket={2} n={3}")
    @MethodSource("matrix")
    void outputsLieOnTheBucketsPoints(QuantizerType type, String backendName, int bucket, int n) {
        QuantizerSpec spec = spec(type, bucket);
        float[] x = TestData.gradientLike(n, 2000 + bucket);
        TestData.Result r = TestData.quantize(TestData.backend(backendName), spec, 5, x);
        double boundSum = 0;
        for (int start = 0; start < n; start += bucket) {
            int end = Math.min(n, start + bucket);
            Set<Float> distinct = new HashSet<>();
            for (int i = start; i < end; i++) {
                float q = r.output()[i];
                distinct.add(q + 0.0f);
                assertTrue(onAPoint(type, spec, x, start, end, x[i], q),
                        type + ": output " + q + " of input " + x[i] + " at " + i + " is not a point of its bucket");
            }
            if (type != QuantizerType.HADAMARD && type != QuantizerType.NONE) {
                assertTrue(distinct.size() <= spec.levels(), distinct.size() + " distinct values in bucket at " + start);
            }
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = start; i < end; i++) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            double range = (double) max - min;
            boundSum += (end - start) * range * range / (4.0 * (spec.levels() - 1) * (spec.levels() - 1));
        }
        if (type == QuantizerType.STANDARD) {
            // (x-l)(r-x) <= u^2/4 for every element: V <= n (max-min)^2 / (4 s^2) bucket by bucket
            assertTrue(r.stats().variance() <= boundSum * (1 + 1e-12), r.stats().variance() + " > " + boundSum);
        }
    }

    private static boolean onAPoint(QuantizerType type, QuantizerSpec spec, float[] x, int start, int end, float v, float q) {
        switch (type) {
            case NONE:
                return Float.floatToRawIntBits(q) == Float.floatToRawIntBits(v);
            case STANDARD: {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = start; i < end; i++) {
                    min = Math.min(min, x[i]);
                    max = Math.max(max, x[i]);
                }
                if (min == max) {
                    return q == v;
                }
                int s = spec.levels() - 1;
                double unit = ((double) max - min) / s;
                for (int k = 0; k < s; k++) {
                    if (q == (float) (min + k * unit)) {
                        return true;
                    }
                }
                return q == max;
            }
            case SMART: {
                // the points are values of the bucket's sample, so values of the bucket
                for (int i = start; i < end; i++) {
                    if (x[i] == q) {
                        return true;
                    }
                }
                return false;
            }
            case EXPONENTIAL: {
                if (q == 0.0f) {
                    return true;
                }
                double sum = 0;
                double maxAbs = 0;
                for (int i = start; i < end; i++) {
                    sum += (double) x[i] * x[i];
                    maxAbs = Math.max(maxAbs, Math.abs(x[i]));
                }
                double norm = Math.sqrt(sum);
                int top = (int) Math.ceil(Math.log(maxAbs / norm) / Math.log(2) - 1e-12);
                int powers = spec.levels() / 2 - 1;
                for (int e = top - powers + 1; e <= top; e++) {
                    if (Math.abs(q) == (float) (norm * Math.scalb(1.0, e)) && Math.signum(q) == Math.signum(v)) {
                        return true;
                    }
                }
                return false;
            }
            default:
                return true; // hadamard's points live in the rotated domain
        }
    }

    /** Same seed and step: identical bytes; another seed or step: different output. */
    @ParameterizedTest(name = "{0} {1} bucket={2} n={3}")
    @MethodSource("matrix")
    void deterministicPerSeedAndStep(QuantizerType type, String backendName, int bucket, int n) {
        Backend backend = TestData.backend(backendName);
        QuantizerSpec spec = spec(type, bucket);
        float[] x = TestData.gradientLike(n, 3000 + bucket);
        float[] a = TestData.quantize(backend, spec, 9, x).output();
        float[] b = TestData.quantize(backend, spec, 9, x).output();
        assertArrayEquals(bits(a), bits(b));
        boolean exact = type == QuantizerType.NONE || bucket == 1
                || (type == QuantizerType.SMART && bucket <= spec.levels());
        // none, single-value buckets (hadamard: a 1x1 rotation) and smart buckets with no more
        // values than levels are exact, so there is no randomness to differ
        assertEquals(exact, java.util.Arrays.equals(bits(a), bits(x)), "exact output expected only where exact");
        if (exact) {
            return;
        }
        float[] otherSeed = TestData.quantize(backend, spec.toBuilder().seed(43).build(), 9, x).output();
        float[] otherStep = TestData.quantize(backend, spec, 10, x).output();
        assertFalse(java.util.Arrays.equals(bits(a), bits(otherSeed)), "a different seed must change the output");
        assertFalse(java.util.Arrays.equals(bits(a), bits(otherStep)), "a different step must change the output");
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
