package io.gradquant.benchmarks.cuda;

import static io.gradquant.benchmarks.cuda.BenchDevice.check;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * The orthonormal Walsh-Hadamard transform of a batch of rows as one cuBLAS SGEMM by the Sylvester
 * Hadamard matrix (entries (-1)^popcount(i&j), the order the butterflies produce), scaled by
 * 1/sqrt(size), to time against gq_wht_rows. A GEMM sums in another order, so its floats differ
 * from the butterflies' in the last bits. Optional: JCublas2 needs libcublas.so.12, which a
 * CUDA-13-only machine lacks; then {@link #unavailableReason()} says so and the benchmark leaves
 * the column out. JCuda unpacks JCublas2's native library itself (into java.io.tmpdir), which is
 * not safe against other JVMs doing the same at the same moment: the tests give their JVM a
 * private java.io.tmpdir.
 */
final class CublasHadamard implements AutoCloseable {
    /** Largest row length: the matrix takes size^2 floats of device memory (256 MiB here). */
    static final int MAX_SIZE = 8192;

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file: ([^\\r\\n]+)");

    private static String reason;
    private static boolean probed;

    private final BenchDevice device;
    private final int size;
    private final cublasHandle handle = new cublasHandle();
    private final DeviceFloats matrix;

    /** Null if cuBLAS can be used here, else why not (probed once; the cuda backend must work). */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            reason = probe();
        }
        return reason;
    }

    private static String probe() {
        try {
            JCublas2.setExceptionsEnabled(false); // the first touch: loads libcublas.so.12
            return null;
        } catch (UnsatisfiedLinkError e) {
            // JCuda's message holds the nested traces of its loading attempts
            Matcher m = MISSING_LIBRARY.matcher(String.valueOf(e.getMessage()));
            return m.find() ? m.group(1) + ": cannot open shared object file: " + m.group(2).strip()
                    : "JCublas2 cannot load: " + firstLine(e);
        } catch (LinkageError e) {
            return "JCublas2 cannot load: " + firstLine(e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m).strip();
    }

    /**
     * A cuBLAS handle on the device's primary context and the size x size Hadamard matrix on the device.
     *
     * @throws IllegalStateException if cuBLAS is unavailable (with the reason) or a call fails
     */
    CublasHadamard(BenchDevice device, int size) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cuBLAS is unavailable: " + why);
        }
        if (Integer.bitCount(size) != 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size " + size + ": need a power of two up to " + MAX_SIZE);
        }
        this.device = device;
        this.size = size;
        float[] h = new float[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                h[i * size + j] = (Integer.bitCount(i & j) & 1) == 0 ? 1.0f : -1.0f; // symmetric
            }
        }
        this.matrix = device.allocate(h.length);
        try {
            matrix.upload(h);
            checkBlas(JCublas2.cublasCreate(handle), "cublasCreate");
        } catch (RuntimeException e) {
            matrix.close();
            throw e;
        }
    }

    /**
     * {@code output = input * H / sqrt(size)} for {@code rows} row-major rows at device addresses
     * {@code input} and {@code output} (not overlapping); waits for the result.
     */
    void transform(long input, long output, int rows) {
        device.makeCurrent();
        // Row-major rows are the columns of a column-major size x rows matrix X^T, and
        // (X H)^T = H X^T since H is symmetric: one SGEMM with m = size, n = rows, k = size.
        float[] alpha = {(float) (1.0 / Math.sqrt(size))};
        float[] beta = {0.0f};
        checkBlas(JCublas2.cublasSgemm(handle, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, size, rows, size,
                Pointer.to(alpha), DevicePointer.at(matrix.address()), size, DevicePointer.at(input), size,
                Pointer.to(beta), DevicePointer.at(output), size), "cublasSgemm(" + rows + " rows of " + size + ")");
        check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize after cublasSgemm");
    }

    @Override
    public void close() {
        device.makeCurrent();
        try {
            checkBlas(JCublas2.cublasDestroy(handle), "cublasDestroy");
        } finally {
            matrix.close();
        }
    }

    private static void checkBlas(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + cublasStatus.stringFor(status));
        }
    }
}
