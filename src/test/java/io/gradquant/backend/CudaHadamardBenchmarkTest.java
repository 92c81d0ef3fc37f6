package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.CudaTesting;
import io.gradquant.QuantizerType;
import io.gradquant.TestData;
import io.gradquant.reference.WalshHadamard;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The benchmark's pieces: gq_wht_rows equals the reference transform bit for bit (in shared
 * memory, and on the global path), cuBLAS is optional and says why when it is missing, and the
 * benchmark itself runs through (on the stand-in, tiny).
 */
@Tag("cuda")
class CudaHadamardBenchmarkTest {
    @ParameterizedTest(name = "{1} rows of {0}, on-chip limit {2}")
    @CsvSource({"1, 3, 8192", "8, 5, 8192", "512, 3, 8192", "4096, 2, 8192", "16384, 2, 1024"})
    void transformKernelEqualsTheReference(int size, int rows, int onChip) {
        CudaBackend cuda = CudaTesting.backend().withOnChipLimit(onChip);
        float[] x = TestData.gradientLike(size * rows, size);
        float[] want = x.clone();
        for (int r = 0; r < rows; r++) {
            float[] row = java.util.Arrays.copyOfRange(want, r * size, (r + 1) * size);
            WalshHadamard.transform(row, size);
            System.arraycopy(row, 0, want, r * size, size);
        }
        CudaProbe.verdict().device().makeCurrent();
        try (DeviceMemory memory = DeviceMemory.allocate(4L * x.length)) {
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(memory.address()), Pointer.to(x), 4L * x.length), "HtoD");
            cuda.transformRows(memory.address(), rows, size);
            float[] got = new float[x.length];
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(got), DevicePointer.at(memory.address()), 4L * x.length), "DtoH");
            assertArrayEquals(CudaBackendTest.bits(want), CudaBackendTest.bits(got));
        }
        assertThrows(IllegalArgumentException.class, () -> cuda.transformRows(4096, 1, 12));
    }

    @Test
    void cublasIsOptionalAndSaysWhyItIsMissing() {
        CudaTesting.backend();
        String reason = CublasHadamard.unavailableReason();
        assumeTrue(reason != null, "cuBLAS is available here");
        assertEquals("libcublas.so.12: cannot open shared object file: No such file or directory", reason);
        String m = assertThrows(IllegalStateException.class, () -> new CublasHadamard(64)).getMessage();
        assertEquals("cuBLAS is unavailable: " + reason, m);
    }

    @Test
    void benchmarkRunsThrough() {
        CudaTesting.backend();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CudaBenchmark.run(4096, 1, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("| 4096 | "), out);
        for (QuantizerType t : QuantizerType.values()) {
            assertTrue(out.contains("| " + t.cliName() + " | 51200 | "), out);
        }
    }
}
