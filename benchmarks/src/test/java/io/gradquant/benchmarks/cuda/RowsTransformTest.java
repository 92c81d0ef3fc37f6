package io.gradquant.benchmarks.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gradquant.reference.WalshHadamard;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * gq_wht_rows equals the Java reference transform bit for bit, in shared memory and on the global
 * path (an on-chip limit below the row length), on the stand-in driver (or a GPU).
 */
class RowsTransformTest {
    static BenchDevice device;

    @BeforeAll
    static void device() {
        device = new BenchDevice(); // fails with the reason if the cuda backend is unavailable
    }

    @AfterAll
    static void release() {
        device.close();
    }

    @ParameterizedTest(name = "{1} rows of {0}, on-chip limit {2}")
    @CsvSource({"1, 3, 8192", "8, 5, 8192", "512, 3, 8192", "4096, 2, 8192", "16384, 2, 1024"})
    void equalsTheReference(int size, int rows, int onChip) {
        float[] x = CudaBenchmark.gaussian(size * rows);
        float[] want = x.clone();
        for (int r = 0; r < rows; r++) {
            float[] row = Arrays.copyOfRange(want, r * size, (r + 1) * size);
            WalshHadamard.transform(row, size);
            System.arraycopy(row, 0, want, r * size, size);
        }
        RowsTransform transform = new RowsTransform(device, onChip);
        try (DeviceFloats data = device.allocate(x.length)) {
            data.upload(x);
            transform.transform(data.address(), rows, size);
            assertArrayEquals(bits(want), bits(data.download()));
        }
    }

    @Test
    void refusesWhatItCannotTransform() {
        RowsTransform transform = new RowsTransform(device, 8192);
        assertThrows(IllegalArgumentException.class, () -> transform.transform(4096, 1, 12));
        assertThrows(IllegalArgumentException.class, () -> transform.transform(4096, 0, 16));
        assertThrows(IllegalArgumentException.class, () -> new RowsTransform(device, 0));
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
