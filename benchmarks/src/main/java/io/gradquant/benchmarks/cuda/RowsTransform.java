package io.gradquant.benchmarks.cuda;

import static io.gradquant.benchmarks.cuda.BenchDevice.check;

import io.gradquant.backend.CudaBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The bare batched Walsh-Hadamard transform, gq_wht_rows (benchmarks/cuda/gq_wht_rows.cu, in this
 * jar's /cuda/gq_wht_rows.fatbin): rows of a power-of-two length transformed in place with the
 * quantizers' butterflies, launched as the hadamard quantizer's kernel is (threads per block and
 * grid by the rule of the backend's LaunchShape), so that it can be timed against a cuBLAS GEMM.
 */
final class RowsTransform {
    /** Class-path resource of the benchmark-only fatbin (built by benchmarks/cuda/Makefile). */
    static final String FATBIN = "/cuda/gq_wht_rows.fatbin";
    /**
     * The kernel's argument: a gq::Call (cuda/gq_call.cuh, 144 bytes, layout static_asserted there)
     * of which it reads buckets, addresses, spec.bucket_size and on_chip, then a one-entry address
     * table.
     */
    static final int HEADER_BYTES = 144;
    static final int CALL_BYTES = HEADER_BYTES + 8;

    private final BenchDevice device;
    private final CUfunction function = new CUfunction();
    private final int onChipLimit;

    /** The kernel loaded on {@code device}; rows up to {@code onChipLimit} floats go through shared memory. */
    RowsTransform(BenchDevice device, int onChipLimit) {
        if (onChipLimit < 1 || onChipLimit > CudaBackend.MAX_ON_CHIP) {
            throw new IllegalArgumentException("on-chip limit " + onChipLimit + ": need 1 to " + CudaBackend.MAX_ON_CHIP);
        }
        this.device = device;
        this.onChipLimit = onChipLimit;
        byte[] image;
        try (InputStream in = RowsTransform.class.getResourceAsStream(FATBIN)) {
            if (in == null) {
                throw new IllegalStateException(FATBIN + " is not on the class path: the benchmarks were built without nvcc");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        device.makeCurrent();
        CUmodule module = new CUmodule();
        check(JCudaDriver.cuModuleLoadData(module, image), "cuModuleLoadData(" + FATBIN + ")");
        check(JCudaDriver.cuModuleGetFunction(function, module, "gq_wht_rows"), "cuModuleGetFunction(gq_wht_rows)");
    }

    /**
     * Transforms {@code rows} rows of {@code size} floats at device address {@code address} in
     * place and waits for the result.
     */
    void transform(long address, long rows, int size) {
        if (Integer.bitCount(size) != 1 || rows < 1) {
            throw new IllegalArgumentException(rows + " rows of " + size + ": need rows >= 1 and a power of two");
        }
        int onChip = Math.min(size, Integer.highestOneBit(onChipLimit));
        int threads = threadsFor(size);
        long fill = (long) device.multiprocessors * Math.min(16, 2048 / threads);
        int grid = (int) Math.max(1, Math.min(rows, fill));
        device.makeCurrent();
        DevicePointer call = new DevicePointer();
        check(JCudaDriver.cuMemAlloc(call, CALL_BYTES), "cuMemAlloc(call)");
        try {
            long base = call.address();
            ByteBuffer b = ByteBuffer.allocate(CALL_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(20, size); // spec.bucket_size: the row length
            b.putLong(48, rows); // buckets: one per row
            b.putLong(64, base + HEADER_BYTES); // addresses: the table after the header
            b.putInt(120, 1); // segments
            b.putInt(124, onChip);
            b.putLong(HEADER_BYTES, address);
            check(JCudaDriver.cuMemcpyHtoD(call, Pointer.to(b.array()), CALL_BYTES), "cuMemcpyHtoD(call)");
            Pointer parameters = Pointer.to(Pointer.to(new long[] {base}));
            check(JCudaDriver.cuLaunchKernel(function, grid, 1, 1, threads, 1, 1, onChip * Float.BYTES, null, parameters,
                    null), "cuLaunchKernel(gq_wht_rows, " + grid + " blocks of " + threads + " threads)");
            check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize after gq_wht_rows");
        } finally {
            check(JCudaDriver.cuMemFree(call), "cuMemFree(call)");
        }
    }

    /** The backend's rule (LaunchShape.threadsFor): about 4 elements per thread, 32 to 256. */
    static int threadsFor(int size) {
        int t = 32;
        while (t < 256 && t < (size + 3) / 4) {
            t <<= 1;
        }
        return t;
    }
}
