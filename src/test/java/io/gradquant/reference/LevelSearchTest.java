package io.gradquant.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.TestData;
import java.util.Arrays;
import java.util.SplittableRandom;
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
