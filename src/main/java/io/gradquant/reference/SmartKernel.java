package io.gradquant.reference;

import io.gradquant.QuantizerSpec;
import io.gradquant.codec.BucketPoints;
import java.util.Arrays;

/**
 * {@code smart}: sample m = min(n, max(ceil(f*n), 512)) values of the bucket without replacement
 * (the m elements with the smallest random keys, ties by position), add the bucket's min and max
 * elements if the sample missed them, choose points with {@link LevelSearch} (variance within 0.5%
 * of the optimum over the sample, see docs/smart.md), and round every value unbiasedly between its
 * neighbouring points: up with probability (x-l)/(r-l).
 * The reference implementation rounds up with probability (r-x)/(r-l), which is biased. The code
 * of a value is the index of its point; a value on a point becomes that point (so -0 on the point
 * 0 becomes +0: points hold no -0, and a message could not tell the two apart).
 */
final class SmartKernel implements BucketKernel {
    private final QuantizerSpec spec;

    SmartKernel(QuantizerSpec spec) {
        this.spec = spec;
    }

    @Override
    public Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes) {
        boolean constant = true;
        for (int i = 1; i < n; i++) {
            constant &= x[i] == x[0];
        }
        if (n == 0 || constant) {
            return Encoding.UNCHANGED; // one distinct value: it is the only point, nothing to sample or search
        }
        float[] points = LevelSearch.choose(sample(x, n, globalStart, step), spec.levels());
        double variance = 0.0;
        for (int i = 0; i < n; i++) {
            int below = floorIndex(points, x[i]);
            float l = points[below];
            if (x[i] == l) {
                codes[i] = below; // on a point: exact (a -0 on the point +0 becomes +0)
                continue;
            }
            float r = points[below + 1];
            double up = ((double) x[i] - (double) l) / ((double) r - (double) l);
            variance += ((double) x[i] - (double) l) * ((double) r - (double) x[i]);
            double u = Philox.uniform(spec.seed(), step, Philox.PURPOSE_ROUND, globalStart + i);
            codes[i] = u < up ? below + 1 : below;
        }
        return new Encoding(new BucketPoints.Sorted(points), variance);
    }

    @Override
    public void decode(BucketPoints points, int[] codes, float[] x, int n, long globalStart, long step) {
        float[] p = ((BucketPoints.Sorted) points).points();
        for (int i = 0; i < n; i++) {
            x[i] = p[codes[i]];
        }
    }

    /** The sorted candidate sample of the bucket, -0 replaced by +0. */
    float[] sample(float[] x, int n, long globalStart, long step) {
        int m = spec.smartSampleSize(n);
        int argMin = 0;
        int argMax = 0;
        for (int i = 1; i < n; i++) {
            if (x[i] < x[argMin]) {
                argMin = i;
            }
            if (x[i] > x[argMax]) {
                argMax = i;
            }
        }
        float[] values;
        if (m == n) {
            values = Arrays.copyOf(x, n);
        } else {
            long[] keyed = new long[n];
            for (int i = 0; i < n; i++) {
                // key in the high half, position in the low half; flipping the sign bit makes
                // Java's signed sort order the unsigned order the C++ and CUDA kernels use
                long bits = Philox.bits(spec.seed(), step, Philox.PURPOSE_SAMPLE, globalStart + i);
                keyed[i] = (bits << 32 | i) ^ Long.MIN_VALUE;
            }
            long[] sortedKeys = keyed.clone();
            Arrays.sort(sortedKeys);
            long cutoff = sortedKeys[m - 1];
            values = new float[m + 2];
            int count = 0;
            for (int i = 0; i < m; i++) {
                values[count++] = x[(int) (sortedKeys[i] & 0xFFFFFFFFL)];
            }
            if (keyed[argMin] > cutoff) {
                values[count++] = x[argMin];
            }
            if (keyed[argMax] > cutoff && argMax != argMin) {
                values[count++] = x[argMax];
            }
            values = Arrays.copyOf(values, count);
        }
        for (int i = 0; i < values.length; i++) {
            values[i] += 0.0f;
        }
        Arrays.sort(values);
        return values;
    }

    /** Index of the last point <= v (points[0] <= v <= points[last]). */
    static int floorIndex(float[] points, float v) {
        int lo = 0;
        int hi = points.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (points[mid] <= v) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
