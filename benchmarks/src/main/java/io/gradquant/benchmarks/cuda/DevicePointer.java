package io.gradquant.benchmarks.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address can be read as a plain long, as {@code CudaBackend.quantizeDevice}
 * and the kernels' call blocks take it: JCuda keeps it in a protected field, hence the subclass.
 */
final class DevicePointer extends CUdeviceptr {
    /** The device address (after cuMemAlloc has filled it in). */
    long address() {
        return getNativePointer() + getByteOffset();
    }

    /** A pointer to device address {@code address}, as JCuda's copies and cuBLAS read it. */
    static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }
}
