package io.gradquant.reference;

import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerType;
import io.gradquant.codec.BucketPoints;
import io.gradquant.codec.WireFormat;

/**
 * {@code exponential}: per bucket norm (L2 or max |x|); each magnitude r = |x|/norm is rounded
 * unbiasedly between neighbouring points of {0, 2^(top-K+1), ..., 2^top}, K = levels/2 - 1 and
 * 2^top the smallest power of two >= max|x|/norm, then multiplied back by the norm and given the
 * value's sign. Unlike the reference, magnitudes below the smallest power round between 0 and it
 * instead of being clamped up to it, so zeros stay zero and the result is unbiased. The code of a
 * value is its sign bit (1 for negative, -0 included) above its magnitude index m: 0 for the point
 * 0, m for 2^(top-K+m).
 */
final class ExponentialKernel implements BucketKernel {
    private final long seed;
    private final int powers;
    private final ExponentialNorm normKind;
    private final int signBit;

    ExponentialKernel(long seed, int levels, ExponentialNorm normKind) {
        this.seed = seed;
        this.powers = levels / 2 - 1;
        this.normKind = normKind;
        this.signBit = 1 << (WireFormat.codeBits(QuantizerType.EXPONENTIAL, levels) - 1);
    }

    @Override
    public Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes) {
        double maxAbs = 0.0;
        for (int i = 0; i < n; i++) {
            maxAbs = Math.max(maxAbs, Math.abs((double) x[i]));
        }
        double norm = normKind == ExponentialNorm.L2 ? Math.sqrt(SumOfSquares.of(x, n)) : maxAbs;
        if (norm == 0.0) {
            return Encoding.UNCHANGED; // all zeros: unchanged, exact
        }
        int top = ceilLog2(maxAbs / norm);
        if (Float.isInfinite((float) Math.scalb(norm, top))) {
            return Encoding.UNREPRESENTABLE; // the largest point does not fit in float32
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
            int magnitude = level == 0.0 ? 0 : Math.getExponent(level) - (top - powers);
            codes[i] = (Float.floatToRawIntBits(x[i]) < 0 ? signBit : 0) | magnitude;
        }
        return new Encoding(new BucketPoints.Powers(norm, top), variance * norm * norm);
    }

    @Override
    public void decode(BucketPoints points, int[] codes, float[] x, int n, long globalStart, long step) {
        BucketPoints.Powers p = (BucketPoints.Powers) points;
        for (int i = 0; i < n; i++) {
            int magnitude = codes[i] & (signBit - 1);
            double level = magnitude == 0 ? 0.0 : Math.scalb(1.0, p.top() - powers + magnitude);
            x[i] = Math.copySign((float) (level * p.norm()), (codes[i] & signBit) != 0 ? -1.0f : 1.0f);
        }
    }

    /** Smallest e with 2^e >= v, for v > 0. */
    static int ceilLog2(double v) {
        int e = Math.getExponent(v);
        return v > Math.scalb(1.0, e) ? e + 1 : e;
    }
}
