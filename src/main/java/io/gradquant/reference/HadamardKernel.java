package io.gradquant.reference;

/**
 * {@code hadamard}: zero-pad the bucket to a power of two P, flip signs at random (fresh per element
 * and step), rotate with the orthonormal Walsh-Hadamard transform, quantize with {@code standard}
 * in the rotated domain (random index ordinal*P + position), rotate back, undo the signs and drop
 * the padding. The variance returned is the rotated domain's, padding included.
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
    public double quantize(float[] x, int n, long globalStart, long ordinal, long step) {
        boolean allZero = true;
        for (int i = 0; i < n; i++) {
            allZero &= x[i] == 0.0f;
        }
        if (allZero) {
            return 0.0; // rotates to all zeros, a constant bucket: unchanged (and cheap to see)
        }
        int size = WalshHadamard.paddedSize(n);
        if (rotated.length < size) {
            rotated = new float[size];
        }
        float[] y = rotated;
        boolean[] negative = new boolean[n];
        for (int i = 0; i < size; i++) {
            if (i < n) {
                negative[i] = Philox.negative(seed, step, globalStart + i);
                y[i] = negative[i] ? -x[i] : x[i];
            } else {
                y[i] = 0.0f;
            }
        }
        WalshHadamard.transform(y, size);
        float first = y[0];
        boolean constant = true;
        for (int i = 0; i < size; i++) {
            if (!Float.isFinite(y[i])) {
                return UNREPRESENTABLE; // the rotation overflowed float32
            }
            constant &= y[i] == first;
        }
        if (constant) {
            return 0.0; // standard would leave it unchanged: skip the lossy round trip
        }
        double variance = rotatedStandard.quantize(y, size, ordinal * size, ordinal, step);
        WalshHadamard.transform(y, size);
        for (int i = 0; i < n; i++) {
            x[i] = negative[i] ? -y[i] : y[i];
        }
        return variance;
    }
}
