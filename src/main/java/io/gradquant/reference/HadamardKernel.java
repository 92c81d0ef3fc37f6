package io.gradquant.reference;

import io.gradquant.codec.BucketPoints;

/**
 * {@code hadamard}: zero-pad the bucket to a power of two P, flip signs at random (fresh per element
 * and step), rotate with the orthonormal Walsh-Hadamard transform, quantize with {@code standard}
 * in the rotated domain (random index ordinal*P + position), rotate back, undo the signs and drop
 * the padding. The codes are standard's codes of the P rotated values. The variance returned is
 * the rotated domain's, padding included.
 */
final class HadamardKernel implements BucketKernel {
    private final long seed;
    private final StandardKernel rotatedStandard;
    private float[] rotated = new float[0];

    HadamardKernel(long seed, int levels) {
        this.seed = seed;
        this.rotatedStandard = new StandardKernel(seed, levels, Philox.PURPOSE_ROTATED);
    }

    @Override
    public Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes) {
        boolean allZero = true;
        for (int i = 0; i < n; i++) {
            allZero &= x[i] == 0.0f;
        }
        if (allZero) {
            return Encoding.UNCHANGED; // rotates to all zeros, a constant bucket: unchanged (and cheap to see)
        }
        int size = WalshHadamard.paddedSize(n);
        float[] y = scratch(size);
        for (int i = 0; i < size; i++) {
            if (i < n) {
                y[i] = Philox.negative(seed, step, globalStart + i) ? -x[i] : x[i];
            } else {
                y[i] = 0.0f;
            }
        }
        WalshHadamard.transform(y, size);
        float first = y[0];
        boolean constant = true;
        for (int i = 0; i < size; i++) {
            if (!Float.isFinite(y[i])) {
                return Encoding.UNREPRESENTABLE; // the rotation overflowed float32
            }
            constant &= y[i] == first;
        }
        if (constant) {
            return Encoding.UNCHANGED; // standard would leave it unchanged: skip the lossy round trip
        }
        return rotatedStandard.encode(y, size, ordinal * size, ordinal, step, codes);
    }

    @Override
    public void decode(BucketPoints points, int[] codes, float[] x, int n, long globalStart, long step) {
        int size = WalshHadamard.paddedSize(n);
        float[] y = scratch(size);
        rotatedStandard.decode(points, codes, y, size, 0, step);
        WalshHadamard.transform(y, size);
        for (int i = 0; i < n; i++) {
            x[i] = Philox.negative(seed, step, globalStart + i) ? -y[i] : y[i];
        }
    }

    private float[] scratch(int size) {
        if (rotated.length < size) {
            rotated = new float[size];
        }
        return rotated;
    }
}
