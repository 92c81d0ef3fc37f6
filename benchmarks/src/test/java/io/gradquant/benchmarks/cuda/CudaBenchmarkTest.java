package io.gradquant.benchmarks.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.QuantizerType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The GPU benchmark runs through on the stand-in driver (tiny), and without libcublas.so.12 it says
 * why the cuBLAS column is missing instead of failing.
 */
class CudaBenchmarkTest {
    static String run() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CudaBenchmark.run(4096, 1, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsThroughWithoutCublas() {
        String reason = CublasHadamard.unavailableReason();
        assumeTrue(reason != null, "cuBLAS is available here");
        assertEquals("libcublas.so.12: cannot open shared object file: No such file or directory", reason);
        String m = assertThrows(IllegalStateException.class, () -> new CublasHadamard(null, 64)).getMessage();
        assertEquals("cuBLAS is unavailable: " + reason, m);
        String out = run();
        for (int size : new int[] {256, 1024, 4096}) {
            assertTrue(out.contains("| " + size + " | "), out);
        }
        assertTrue(out.contains("| unavailable: " + reason + " | - |"), out);
        for (QuantizerType t : QuantizerType.values()) {
            assertTrue(out.contains("| " + t.cliName() + " | 512 | "), out);
            assertTrue(out.contains("| " + t.cliName() + " | 51200 | "), out);
        }
    }
}
