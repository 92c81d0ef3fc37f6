package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import jcuda.driver.JCudaDriver;

/** One device allocation, freed by {@link #close()}; the calling thread has the context current. */
final class DeviceMemory implements AutoCloseable {
    private final DevicePointer pointer;
    private final long bytes;
    private boolean freed;

    private DeviceMemory(DevicePointer pointer, long bytes) {
        this.pointer = pointer;
        this.bytes = bytes;
    }

    /** Allocates {@code bytes} (> 0) of device memory. */
    static DeviceMemory allocate(long bytes) {
        DevicePointer p = new DevicePointer();
        check(JCudaDriver.cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + " bytes)");
        return new DeviceMemory(p, bytes);
    }

    long address() {
        return pointer.address();
    }

    long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            check(JCudaDriver.cuMemFree(pointer), "cuMemFree(" + bytes + " bytes)");
        }
    }
}
