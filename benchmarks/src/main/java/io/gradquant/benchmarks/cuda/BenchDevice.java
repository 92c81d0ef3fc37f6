package io.gradquant.benchmarks.cuda;

import io.gradquant.backend.CudaBackend;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * The cuda backend's device as the benchmark drives it directly: the backend itself, its primary
 * context (the one the backend uses, so memory allocated here can be handed to it), and the
 * multiprocessor count. The backend is created first: its probe unpacks JCuda's natives safely and
 * initialises the driver before anything here touches JCuda.
 */
final class BenchDevice implements AutoCloseable {
    final CudaBackend backend;
    final int multiprocessors;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();

    /** @throws IllegalStateException with the reason, if the cuda backend is unavailable */
    BenchDevice() {
        backend = new CudaBackend();
        check(JCudaDriver.cuDeviceGet(device, backend.deviceOrdinal()), "cuDeviceGet");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        int[] value = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(value, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                device), "cuDeviceGetAttribute(multiprocessors)");
        multiprocessors = value[0];
    }

    /** Makes the primary context current on the calling thread (CUDA contexts are per thread). */
    void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    /** An allocation of {@code floats} floats on this device. */
    DeviceFloats allocate(long floats) {
        makeCurrent();
        return new DeviceFloats(floats);
    }

    @Override
    public void close() {
        check(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
    }

    /** @throws IllegalStateException naming the call, if {@code result} is not CUDA_SUCCESS */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(call + " failed: " + CUresult.stringFor(result));
        }
    }
}
