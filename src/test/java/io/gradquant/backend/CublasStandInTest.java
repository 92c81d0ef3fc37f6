package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.JvmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The positive cuBLAS path, end to end: a JVM whose libcuda.so.1 and libcublas.so.12 are the CPU
 * stand-ins runs the GPU benchmark, so JCublas2 loads, CublasHadamard creates its handle and
 * matrix, runs its SGEMM and destroys the handle, and the GEMM's rows equal the transform
 * kernel's to float rounding. A wrong shape or leading dimension would mix rows and differ by
 * the values themselves (about 1).
 */
class CublasStandInTest {
    @Test
    void gemmHadamardMatchesTheTransformKernel() throws Exception {
        Path driver = JvmProcess.standInDirectory();
        String cublas = System.getProperty("gradquant.test.cublas.standin.dir");
        assumeTrue(driver != null && cublas != null, "run by Maven, which builds the stand-ins");
        assertTrue(Files.exists(Paths.get(cublas, "libcublas.so.12")), "the cuBLAS stand-in was not built");
        JvmProcess.Result r = JvmProcess.run(List.of("-Xmx512m"), CudaBenchmark.class.getName(), List.of("4096", "1"),
                Map.of("LD_LIBRARY_PATH", driver + ":" + cublas));
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.err().contains("not implemented"), r.err());
        for (int size : new int[] {256, 1024, 4096}) {
            String row = r.out().lines().filter(l -> l.startsWith("| " + size + " | ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + size + ":\n" + r.out()));
            String[] cells = row.split("\\|");
            // | size | kernel ms | cuBLAS ms | max abs difference |
            double gemmMs = Double.parseDouble(cells[3].trim());
            double difference = Double.parseDouble(cells[4].trim());
            assertTrue(gemmMs >= 0, row);
            assertTrue(difference < 1e-4, "GEMM and transform kernel differ: " + row);
        }
    }
}
