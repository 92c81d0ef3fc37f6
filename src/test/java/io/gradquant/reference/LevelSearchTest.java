package io.gradquant.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.TestData;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class LevelSearchTest {
    /** Sum over the sample of (x-l)(r-x), computed directly. */
    static double cost(float[] sorted, float[] points) {
        double total = 0;
        for (float x : sorted) {
            int b = SmartKernel.floorIndex(points, x);
            if (x != points[b]) {
                total += ((double) x - points[b]) * ((double) points[b + 1] - x);
            }
        }
        return total;
    }

    /** The bound of the fast search: its variance over the sample against the exact optimum's. */
    static final double BOUND = 1.005;

    /** Bucket shapes for the quality tests: name and a value generator. */
    enum Shape {
        NORMAL(r -> gaussian(r)),
        LAPLACE(r -> (r.nextBoolean() ? 1 : -1) * -Math.log(1 - r.nextDouble())),
        STUDENT_T2(r -> gaussian(r) / Math.sqrt((square(gaussian(r)) + square(gaussian(r))) / 2)),
        CAUCHY(r -> Math.tan(Math.PI * (r.nextDouble() - 0.5))),
        CAUCHY_CUBED(r -> Math.pow(Math.tan(Math.PI * (r.nextDouble() - 0.5)), 3)),
        GRADIENT(r -> r.nextDouble() < 0.05 ? 20 * (r.nextDouble() - 0.5) : gaussian(r) * Math.exp(-3 * r.nextInt(3))),
        REPEATED(r -> Math.round(gaussian(r) * 4) / 4.0),
        FEW_DISTINCT(r -> Math.floor(r.nextDouble() * 20)),
        TWO_SCALES(r -> r.nextDouble() < 0.9 ? gaussian(r) * 1e-3 : gaussian(r)),
        UNIFORM(r -> r.nextDouble()),
        BIMODAL(r -> (r.nextBoolean() ? -3 : 3) + 0.1 * gaussian(r)),
        MOSTLY_ZERO(r -> r.nextDouble() < 0.7 ? 0.0 : gaussian(r));

        final ToDoubleFunction<SplittableRandom> value;

        Shape(ToDoubleFunction<SplittableRandom> value) {
            this.value = value;
        }

        float[] sortedSample(int m, SplittableRandom r) {
            float[] x = new float[m];
            for (int i = 0; i < m; i++) {
                x[i] = (float) value.applyAsDouble(r) + 0.0f;
            }
            Arrays.sort(x);
            return x;
        }
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    static double square(double v) {
        return v * v;
    }

    /**
     * The fast search stays within 0.5% of the exact optimum over the same sample, bucket by
     * bucket, on many random buckets of every shape (docs/smart.md records the worst ratio seen
     * over a larger run of the same check).
     */
    @Test
    void fastSearchIsWithinHalfAPercentOfTheExactOptimum() {
        int[][] cases = {{512, 16, 60}, {512, 8, 15}, {512, 4, 10}, {700, 16, 10}, {1000, 16, 8}, {2048, 16, 3}, {1024, 12, 4}};
        double worst = 1.0;
        String where = "";
        for (int[] c : cases) {
            int m = c[0];
            int levels = c[1];
            assertTrue(new LevelSearch.Plan(m, levels).fast, m + " values, " + levels + " levels must take the fast search");
            for (Shape shape : Shape.values()) {
                SplittableRandom r = new SplittableRandom(31L * m + levels + 1000L * shape.ordinal());
                for (int trial = 0; trial < c[2]; trial++) {
                    float[] sample = shape.sortedSample(m, r);
                    double exact = cost(sample, ExactLevelSearch.choose(sample, levels));
                    double fast = cost(sample, LevelSearch.choose(sample, levels));
                    double ratio = exact > 0 ? fast / exact : fast == 0 ? 1.0 : Double.POSITIVE_INFINITY;
                    if (ratio > worst) {
                        worst = ratio;
                        where = shape + " m=" + m + " levels=" + levels + " trial " + trial;
                    }
                }
            }
        }
        assertTrue(worst <= BOUND, "worst fast/exact variance ratio " + worst + " at " + where);
    }

    /**
     * Small samples and many levels take the exact search, which is optimal like the oracle (up to
     * rounding: its prefix sums start at the median, the oracle's at the smallest value); the others
     * stay within the bound.
     */
    @Test
    void smallSamplesAndManyLevelsAreExact() {
        SplittableRandom r = new SplittableRandom(8);
        int exactRuns = 0;
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(300);
            int levels = 2 + r.nextInt(40);
            float[] sample = Shape.values()[trial % Shape.values().length].sortedSample(m, r);
            float[] chosen = LevelSearch.choose(sample, levels);
            float[] oracle = ExactLevelSearch.choose(sample, levels);
            assertEquals(oracle.length, chosen.length, "trial " + trial);
            boolean fast = new LevelSearch.Plan(distinct(sample).length, levels).fast;
            double exact = cost(sample, oracle);
            double allowed = fast ? exact * BOUND : exact * (1 + 1e-9);
            assertTrue(cost(sample, chosen) <= allowed, "trial " + trial + (fast ? " (fast)" : " (exact)") + ": "
                    + cost(sample, chosen) + " > " + exact);
            exactRuns += fast ? 0 : 1;
        }
        assertTrue(exactRuns > 200, "most trials must take the exact search, not " + exactRuns);
    }

    @Test
    void dynamicProgrammeMatchesBruteForce() {
        SplittableRandom r = new SplittableRandom(3);
        int trials = 0;
        for (int trial = 0; trial < 300; trial++) {
            int m = 3 + r.nextInt(14);
            int levels = 2 + r.nextInt(Math.min(m, 8) - 1);
            float[] sample = new float[m];
            for (int i = 0; i < m; i++) {
                // heavy-tailed, with repeats, like gradients
                sample[i] = r.nextInt(4) == 0 ? sample[Math.max(0, i - 1)] : (float) Math.pow(r.nextDouble(-1, 1), 3);
            }
            Arrays.sort(sample);
            float[] distinct = distinct(sample);
            float[] chosen = LevelSearch.choose(sample, levels);
            if (distinct.length <= levels) {
                assertArrayEquals(distinct, chosen);
                continue;
            }
            trials++;
            float[] best = bruteForce(sample, distinct, levels);
            assertEquals(cost(sample, best), cost(sample, chosen), 1e-12, "trial " + trial);
            assertArrayEquals(best, chosen, "trial " + trial + " levels " + levels + " sample " + Arrays.toString(sample));
        }
        assertTrue(trials > 200, "most trials must exercise the search, not the all-distinct shortcut");
    }

    /**
     * Best point set by trying every subset of the distinct values that keeps the first and last,
     * scored on the full sample (repeats weigh); ties keep the first subset found.
     */
    private static float[] bruteForce(float[] sample, float[] distinct, int levels) {
        int inner = distinct.length - 2;
        float[] best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < 1 << inner; mask++) {
            if (Integer.bitCount(mask) != levels - 2) {
                continue;
            }
            float[] points = new float[levels];
            int k = 0;
            points[k++] = distinct[0];
            for (int i = 0; i < inner; i++) {
                if ((mask & 1 << i) != 0) {
                    points[k++] = distinct[i + 1];
                }
            }
            points[k] = distinct[distinct.length - 1];
            double c = cost(sample, points);
            if (c < bestCost - 1e-15) {
                bestCost = c;
                best = points;
            }
        }
        return best;
    }

    static float[] distinct(float[] sorted) {
        float[] out = new float[sorted.length];
        int d = 0;
        for (float v : sorted) {
            if (d == 0 || out[d - 1] != v) {
                out[d++] = v;
            }
        }
        return Arrays.copyOf(out, d);
    }

    /**
     * With the whole bucket as sample (n <= 512), smart's points are optimal over all point sets
     * (an optimal point always sits on a data value: between two data values the cost is linear
     * in its position), so its variance is never above standard's evenly spaced points.
     */
    @Test
    void smartVarianceIsNeverAboveStandardOnABucket() {
        for (int levels : new int[] {2, 4, 16}) {
            for (long seed = 0; seed < 20; seed++) {
                float[] x = TestData.gradientLike(512, seed);
                QuantizerSpec smart = QuantizerSpec.builder(QuantizerType.SMART).levels(levels).build();
                QuantizerSpec standard = QuantizerSpec.builder(QuantizerType.STANDARD).levels(levels).build();
                double vSmart = TestData.quantize(new JavaBackend(), smart, 0, x).stats().variance();
                double vStandard = TestData.quantize(new JavaBackend(), standard, 0, x).stats().variance();
                assertTrue(vSmart <= vStandard * (1 + 1e-9), "levels " + levels + ": smart " + vSmart + " > standard " + vStandard);
            }
        }
    }
}
