package io.gradquant.bench.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.TestData;
import io.gradquant.reference.JavaBackend;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DJL NDArray compositions that the benchmark races must do the same job as the library's
 * quantizers, or the race is unfair. The random streams differ (PyTorch's generator, not Philox),
 * so the outputs are compared statistically over K independent calls: unbiased (the mean of K
 * outputs approaches x as 1/K), the same expected squared error as the reference backend's
 * (within 10%, each side's spread being about 1%), and every output on its bucket's points.
 */
class DjlCompositionTest {
    private static final int REPEATS = 48;

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager(Device.cpu(), DjlRace.ENGINE);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Quantizer, bucket, levels, n: partial last buckets for standard and exponential (padded by repeating or zeros). */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(QuantizerType.STANDARD, 512, 16, 8 * 512 + 100),
                Arguments.of(QuantizerType.STANDARD, 100, 4, 1037),
                Arguments.of(QuantizerType.EXPONENTIAL, 512, 16, 8 * 512 + 100),
                Arguments.of(QuantizerType.EXPONENTIAL, 100, 8, 1037),
                // hadamard zero-pads a partial bucket to its own power of two, the composition to the
                // full bucket's: equal in distribution only on whole buckets
                Arguments.of(QuantizerType.HADAMARD, 512, 16, 8 * 512),
                Arguments.of(QuantizerType.HADAMARD, 100, 8, 1000));
    }

    private static DjlQuantizer composition(QuantizerType type) {
        return switch (type) {
            case STANDARD -> new DjlStandard();
            case EXPONENTIAL -> new DjlExponential();
            case HADAMARD -> new DjlHadamard(manager);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /** Runs a composition on x and returns its output as floats, freeing every intermediate. */
    private static float[] run(DjlQuantizer q, float[] x, int bucket, int levels) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(x);
            NDArray out = q.quantize(input, bucket, levels);
            assertEquals(new Shape(x.length), out.getShape());
            return out.toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0} bucket={1} levels={2} n={3}")
    @MethodSource("cases")
    void unbiasedWithTheReferenceVariance(QuantizerType type, int bucket, int levels, int n) {
        float[] x = TestData.gradientLike(n, 77 + bucket);
        DjlQuantizer q = composition(type);
        assertEquals(type, q.type());
        double[] mean = new double[n];
        double djlError = 0;
        double ourError = 0;
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(bucket).levels(levels).build();
        for (int k = 0; k < REPEATS; k++) {
            float[] out = run(q, x, bucket, levels);
            float[] ours = TestData.quantize(new JavaBackend(), spec, k, x).output();
            for (int i = 0; i < n; i++) {
                mean[i] += (double) out[i] / REPEATS;
                djlError += sq((double) out[i] - x[i]) / REPEATS;
                ourError += sq((double) ours[i] - x[i]) / REPEATS;
            }
        }
        double biasSquared = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            biasSquared += sq(mean[i] - x[i]);
            norm += sq(x[i]);
        }
        // a bias would not shrink with K; see QuantizerMatrixTest for the margin (float32 slack added:
        // the composition computes its points in float32 arithmetic)
        assertTrue(biasSquared <= 1.5 * djlError / REPEATS + 1e-10 * norm,
                "||mean - x||^2 = " + biasSquared + " but MSE/K = " + djlError / REPEATS);
        assertEquals(1.0, djlError / ourError, 0.1, "DJL ops MSE " + djlError + " vs reference MSE " + ourError);
    }

    @ParameterizedTest(name = "{0} bucket={1} levels={2} n={3}")
    @MethodSource("cases")
    void outputsLieOnTheBucketsPoints(QuantizerType type, int bucket, int levels, int n) {
        float[] x = TestData.gradientLike(n, 99 + bucket);
        if (type == QuantizerType.HADAMARD) {
            // with padding, dropping the padded coordinates after the rotation back is a projection
            // that moves the output off the rotated grid (in the library too): check whole powers of two
            if (Integer.bitCount(bucket) == 1) {
                hadamardRoundsOntoTheRotatedGrid(x, bucket, levels);
            }
            return;
        }
        float[] out = run(composition(type), x, bucket, levels);
        for (int start = 0; start < n; start += bucket) {
            int len = Math.min(bucket, n - start);
            if (type == QuantizerType.STANDARD) {
                assertOnStandardGrid(x, out, start, len, levels, 1e-5);
            } else {
                assertOnPowersOfTwo(x, out, start, len, levels);
            }
        }
    }

    /** min + k*unit, k in [0, levels-1] (within a tolerance relative to the unit), at most levels distinct k. */
    private static void assertOnStandardGrid(float[] x, float[] out, int start, int len, int levels, double tolerance) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = start; i < start + len; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        double unit = (max - min) / (levels - 1);
        Set<Long> distinct = new HashSet<>();
        for (int i = start; i < start + len; i++) {
            double k = (out[i] - min) / unit;
            long nearest = Math.round(k);
            assertTrue(nearest >= 0 && nearest <= levels - 1 && Math.abs(k - nearest) < tolerance * (levels - 1),
                    "value " + out[i] + " of bucket at " + start + " is off the grid: k = " + k);
            distinct.add(nearest);
        }
        assertTrue(distinct.size() <= levels, distinct.size() + " distinct values in bucket at " + start);
    }

    /** 0 or sign(x) * norm * 2^e, e in [top-K+1, top]. */
    private static void assertOnPowersOfTwo(float[] x, float[] out, int start, int len, int levels) {
        double norm = 0;
        double maxAbs = 0;
        for (int i = start; i < start + len; i++) {
            norm += sq(x[i]);
            maxAbs = Math.max(maxAbs, Math.abs(x[i]));
        }
        norm = Math.sqrt(norm);
        int top = (int) Math.ceil(Math.log(maxAbs / norm) / Math.log(2) - 1e-9);
        int powers = levels / 2 - 1;
        Set<Float> distinct = new HashSet<>();
        for (int i = start; i < start + len; i++) {
            distinct.add(out[i]);
            if (out[i] == 0) {
                continue;
            }
            assertEquals(Math.signum(x[i]), Math.signum(out[i]), "sign of value " + i);
            double e = Math.log(Math.abs(out[i]) / norm) / Math.log(2);
            long nearest = Math.round(e);
            assertTrue(Math.abs(e - nearest) < 1e-5 && nearest <= top && nearest >= top - powers + 1,
                    "value " + out[i] + " of bucket at " + start + " is not norm * 2^e, e in [" + (top - powers + 1)
                            + ", " + top + "]: e = " + e);
        }
        assertTrue(distinct.size() <= levels, distinct.size() + " distinct values in bucket at " + start);
    }

    /**
     * With known signs, rotating the output the way the composition does lands every value of a
     * row on the standard grid of the rotated input's row.
     */
    private static void hadamardRoundsOntoTheRotatedGrid(float[] x, int bucket, int levels) {
        DjlHadamard h = new DjlHadamard(manager);
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(x);
            NDArray rows = DjlHadamard.paddedRows(input, bucket);
            NDArray signs = scope.randomUniform(0f, 1f, rows.getShape()).lt(0.5f)
                    .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mul(-2).add(1);
            NDArray out = h.quantizeWithSigns(input, bucket, levels, signs);
            float[] rotatedIn = h.rotate(rows.mul(signs)).toFloatArray();
            float[] rotatedOut = h.rotate(DjlHadamard.paddedRows(out, bucket).mul(signs)).toFloatArray();
            int p = (int) rows.getShape().get(1);
            for (int start = 0; start < rotatedIn.length; start += p) {
                // two float32 rotations of error ~1e-7 each, relative to values a few units apart
                assertOnStandardGrid(rotatedIn, rotatedOut, start, p, levels, 1e-3);
            }
        }
    }

    @Test
    void constantAndZeroBucketsStayExact() {
        float[] x = new float[3 * 64];
        for (int i = 64; i < 128; i++) {
            x[i] = 0.25f; // bucket 1 constant, buckets 0 and 2 zero
        }
        for (QuantizerType type : new QuantizerType[] {QuantizerType.STANDARD, QuantizerType.EXPONENTIAL}) {
            float[] out = run(composition(type), x, 64, 8);
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], out[i], type + " changed value " + i);
            }
        }
        float[] out = run(composition(QuantizerType.HADAMARD), x, 64, 8);
        for (int i = 0; i < 64; i++) {
            assertTrue(out[i] == 0f, "hadamard changed zero " + i + " to " + out[i]); // -0 allowed
        }
    }

    private static double sq(double v) {
        return v * v;
    }
}
