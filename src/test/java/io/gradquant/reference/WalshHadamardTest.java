package io.gradquant.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gradquant.TestData;
import org.junit.jupiter.api.Test;

class WalshHadamardTest {
    @Test
    void paddedSizeIsTheNextPowerOfTwo() {
        assertEquals(1, WalshHadamard.paddedSize(1));
        assertEquals(2, WalshHadamard.paddedSize(2));
        assertEquals(4, WalshHadamard.paddedSize(3));
        assertEquals(512, WalshHadamard.paddedSize(512));
        assertEquals(1024, WalshHadamard.paddedSize(513));
        assertEquals(65536, WalshHadamard.paddedSize(51200));
    }

    /** The matrix has orthonormal rows: transforming basis vectors gives +-1/sqrt(n) rows with H H = I. */
    @Test
    void transformIsOrthonormal() {
        for (int size : new int[] {1, 2, 8, 64}) {
            float[][] rows = new float[size][];
            for (int i = 0; i < size; i++) {
                rows[i] = new float[size];
                rows[i][i] = 1;
                WalshHadamard.transform(rows[i], size);
                for (float v : rows[i]) {
                    assertEquals(1 / Math.sqrt(size), Math.abs(v), 1e-7);
                }
            }
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    double dot = 0;
                    for (int k = 0; k < size; k++) {
                        dot += (double) rows[i][k] * rows[j][k];
                    }
                    assertEquals(i == j ? 1.0 : 0.0, dot, 1e-6, "rows " + i + ", " + j);
                }
            }
        }
    }

    /** Applying the transform twice returns the input, up to float rounding; norms are kept. */
    @Test
    void transformIsSelfInverseAndKeepsTheNorm() {
        for (int size : new int[] {2, 4, 512, 4096, 65536}) {
            float[] x = TestData.gradientLike(size, size);
            float[] y = x.clone();
            WalshHadamard.transform(y, size);
            double nx = 0;
            double ny = 0;
            for (int i = 0; i < size; i++) {
                nx += (double) x[i] * x[i];
                ny += (double) y[i] * y[i];
            }
            // each output is a sum of `size` float terms: relative error about log2(size) * 2^-24
            assertEquals(nx, ny, nx * 1e-5);
            WalshHadamard.transform(y, size);
            double maxAbs = 0;
            for (float v : x) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            for (int i = 0; i < size; i++) {
                assertEquals(x[i], y[i], maxAbs * 1e-5, "element " + i);
            }
        }
    }
}
