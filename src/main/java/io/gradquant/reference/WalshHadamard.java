package io.gradquant.reference;

/** The orthonormal Walsh-Hadamard transform, in place; it is its own inverse. */
public final class WalshHadamard {
    private WalshHadamard() {
    }

    /** Smallest power of two >= n (n >= 1). */
    public static int paddedSize(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /**
     * Transforms {@code y[0..size)} in place, size a power of two: butterflies with half-width
     * 1, 2, 4, ... then a scale by 1/sqrt(size). The CUDA and C++ kernels use the same pairing and
     * order, so their float results are identical.
     */
    public static void transform(float[] y, int size) {
        for (int half = 1; half < size; half <<= 1) {
            for (int start = 0; start < size; start += 2 * half) {
                for (int i = start; i < start + half; i++) {
                    float a = y[i];
                    float b = y[i + half];
                    y[i] = a + b;
                    y[i + half] = a - b;
                }
            }
        }
        float scale = (float) (1.0 / Math.sqrt(size));
        for (int i = 0; i < size; i++) {
            y[i] *= scale;
        }
    }
}
