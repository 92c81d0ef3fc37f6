package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import java.io.IOException;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * The orthonormal Walsh-Hadamard transform of a batch of rows as one cuBLAS SGEMM by the Sylvester
 * Hadamard matrix (entries (-1)^popcount(i&j), the order the butterflies produce), scaled by
 * 1/sqrt(size). Only for the benchmark that compares it with the transform kernel: a GEMM sums in
 * another order, so its floats differ from the butterflies' in the last bits and the quantizers
 * never use it. Optional at run time: JCublas2 needs libcublas.so.12, which a CUDA-13-only
 * machine lacks; then {@link #unavailableReason()} says so and nothing else changes.
 */
final class CublasHadamard implements AutoCloseable {
    /** Largest row length: the matrix takes size^2 floats of device memory (256 MiB here). */
    static final int MAX_SIZE = 8192;

    private static String reason;
    private static boolean probed;

    private final CudaDevice device;
    private final int size;
    private final cublasHandle handle;
    private final DeviceMemory matrix;

    /** Null if cuBLAS can be used with the cuda backend here, else why not (probed once). */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            reason = probe();
        }
        return reason;
    }

    private static String probe() {
        String cuda = CudaBackend.unavailableReason();
        if (cuda != null) {
            return "the cuda backend is unavailable: " + cuda;
        }
        try {
            JCudaNatives.preseed(JCudaNatives.CUBLAS);
        } catch (IOException e) {
            return "cannot unpack JCublas2's native library: " + CudaProbe.oneLine(e);
        }
        try {
            JCublas2.setExceptionsEnabled(false); // the first touch: loads libcublas.so.12
        } catch (UnsatisfiedLinkError e) {
            String missing = CudaProbe.missingLibrary(e);
            return missing != null ? missing : "JCublas2 cannot load: " + CudaProbe.oneLine(e);
        } catch (LinkageError e) {
            return "JCublas2 cannot load: " + CudaProbe.oneLine(e);
        }
        return null;
    }

    /**
     * A cuBLAS handle on the device's primary context and the size x size Hadamard matrix on the device.
     *
     * @throws IllegalStateException if cuBLAS is unavailable (with the reason) or a call fails
     */
    CublasHadamard(int size) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cuBLAS is unavailable: " + why);
        }
        if (Integer.bitCount(size) != 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size " + size + ": need a power of two up to " + MAX_SIZE);
        }
        this.device = CudaProbe.verdict().device();
        this.size = size;
        device.makeCurrent();
        float[] h = new float[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                h[i * size + j] = (Integer.bitCount(i & j) & 1) == 0 ? 1.0f : -1.0f; // symmetric
            }
        }
        this.matrix = DeviceMemory.allocate(4L * h.length);
        this.handle = new cublasHandle();
        try {
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(matrix.address()), Pointer.to(h), 4L * h.length),
                    "cuMemcpyHtoD(Hadamard matrix)");
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
