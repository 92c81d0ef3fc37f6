package io.gradquant.reference;

import io.gradquant.ExponentialNorm;

/**
 * {@code exponential}: per bucket norm (L2 or max |x|); each magnitude r = |x|/norm is rounded
 * unbiasedly between neighbouring points of {0, 2^(top-K+1), ..., 2^top}, K = levels/2 - 1 and
 * 2^top the smallest power of two >= max|x|/norm, then multiplied back by the norm and given the
 * value's sign. Unlike the reference, magnitudes below the smallest power round between 0 and it
 * instead of being clamped up to it, so zeros stay zero and the result is unbiased.
 */
final class ExponentialKernel implements BucketKernel {
    private final long seed;
    private final int powers;
    private final ExponentialNorm normKind;

    ExponentialKernel(long seed, int levels, ExponentialNorm normKind) {
        this.seed = seed;
        this.powers = levels / 2 - 1;
        this.normKind = normKind;
    }

    @Override
    public double quantize(float[] x, int n, long globalStart, long ordinal, long step) {
        double maxAbs = 0.0;
        for (int i = 0; i < n; i++) {
            maxAbs = Math.max(maxAbs, Math.abs((double) x[i]));
        }
        double norm = normKind == ExponentialNorm.L2 ? Math.sqrt(SumOfSquares.of(x, n)) : maxAbs;
        if (norm == 0.0) {
            return 0.0; // all zeros: unchanged, exact
        }
        int top = ceilLog2(maxAbs / norm);
        if (Float.isInfinite((float) Math.scalb(norm, top))) {
            return UNREPRESENTABLE; // the largest point does not fit in float32
        }
        double smallest = Math.scalb(1.0, top - powers + 1);
        double variance = 0.0;
        for (int i = 0; i < n; i++) {
            double r = Math.abs((double) x[i]) / norm;
            double below;
            double above;
            if (r >= smallest) {
                below = Math.scalb(1.0, Math.getExponent(r));
                above = 2.0 * below;
            } else {
                below = 0.0;
                above = smallest;
            }
            double level = below;
            if (r != below) {
                double up = (r - below) / (above - below);
                if (Philox.uniform(seed, step, Philox.PURPOSE_ROUND, globalStart + i) < up) {
                    level = above;
                }
                variance += (r - below) * (above - r);
            }
            x[i] = Math.copySign((float) (level * norm), x[i]);
        }
        return variance * norm * norm;
    }

    /** Smallest e with 2^e >= v, for v > 0. */
    static int ceilLog2(double v) {
        int e = Math.getExponent(v);
        return v > Math.scalb(1.0, e) ? e + 1 : e;
    }
}
