package io.gradquant.benchmarks.cuda;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The positive cuBLAS path, end to end, in the test execution whose libcublas.so.12 is the CPU
 * stand-in (tag "cublas"): JCublas2 loads, CublasHadamard creates its handle and matrix, runs its
 * SGEMM and destroys the handle, and the GEMM's rows equal the transform kernel's to float
 * rounding. A wrong shape or leading dimension would mix rows and differ by the values themselves
 * (about 1).
 */
@Tag("cublas")
class CublasStandInTest {
    @Test
    void gemmHadamardMatchesTheTransformKernel() {
        assertNull(CublasHadamard.unavailableReason(), "the cuBLAS stand-in should be on LD_LIBRARY_PATH here");
        String out = CudaBenchmarkTest.run();
        for (int size : new int[] {256, 1024, 4096}) {
            String row = out.lines().filter(l -> l.startsWith("| " + size + " | ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + size + ":\n" + out));
            String[] cells = row.split("\\|");
            // | size | kernel ms | cuBLAS ms | max abs difference |
            double gemmMs = Double.parseDouble(cells[3].trim());
            double difference = Double.parseDouble(cells[4].trim());
            assertTrue(gemmMs >= 0, row);
            assertTrue(difference < 1e-4, "GEMM and transform kernel differ: " + row);
        }
    }
}
