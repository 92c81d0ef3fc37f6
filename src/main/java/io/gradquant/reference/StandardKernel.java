package io.gradquant.reference;

import io.gradquant.codec.BucketPoints;

/**
 * {@code standard}: s = levels-1 equal intervals from bucket min to max, each value rounded to one of
 * the two points around it, up with probability equal to its position between them (unbiased).
 * Arithmetic is in double so that ranges near the float32 limits do not overflow; the points are
 * min + k*u rounded to float32, and the top point is max itself. The code of a value is k.
 */
final class StandardKernel implements BucketKernel {
    private final long seed;
    private final int intervals;
    private final int purpose;

    /** @param purpose which random stream rounds: PURPOSE_ROUND, or PURPOSE_ROTATED for hadamard */
    StandardKernel(long seed, int levels, int purpose) {
        this.seed = seed;
        this.intervals = levels - 1;
        this.purpose = purpose;
    }

    @Override
    public Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (x[i] < min) {
                min = x[i];
            }
            if (x[i] > max) {
                max = x[i];
            }
        }
        // -0 and +0 compare equal, so which one a reduction keeps depends on its order; adding +0
        // makes both +0 and the result the same on every backend.
        min += 0.0f;
        max += 0.0f;
        if (!(max > min)) {
            return Encoding.UNCHANGED; // constant bucket (or empty): unchanged, exact
        }
        double unit = unit(min, max);
        double inverseUnit = 1.0 / unit;
        double variance = 0.0;
        for (int i = 0; i < n; i++) {
            double t = ((double) x[i] - (double) min) * inverseUnit;
            double below = Math.floor(t);
            double frac = t - below;
            long k = (long) below;
            if (Philox.uniform(seed, step, purpose, globalStart + i) < frac) {
                k++;
            }
            if (k >= intervals) {
                k = intervals;
            }
            codes[i] = (int) k;
            variance += unit * unit * (frac * (1.0 - frac));
        }
        return new Encoding(new BucketPoints.Grid(min, max), variance);
    }

    @Override
    public void decode(BucketPoints points, int[] codes, float[] x, int n, long globalStart, long step) {
        BucketPoints.Grid grid = (BucketPoints.Grid) points;
        double unit = unit(grid.lo(), grid.hi());
        for (int i = 0; i < n; i++) {
            int k = codes[i];
            x[i] = k == intervals ? grid.hi() : (float) ((double) grid.lo() + (double) k * unit);
        }
    }

    private double unit(float min, float max) {
        return ((double) max - (double) min) / intervals;
    }
}
