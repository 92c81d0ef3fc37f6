package io.gradquant.benchmarks.cuda;

import static io.gradquant.benchmarks.cuda.BenchDevice.check;

import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/** Floats in device memory, freed by {@link #close()}, with copies from and to the host. */
final class DeviceFloats implements AutoCloseable {
    final long floats;
    private final DevicePointer pointer = new DevicePointer();
    private boolean freed;

    /** Allocates on the current context. */
    DeviceFloats(long floats) {
        this.floats = floats;
        check(JCudaDriver.cuMemAlloc(pointer, 4L * floats), "cuMemAlloc(" + 4L * floats + " bytes)");
    }

    long address() {
        return pointer.address();
    }

    void upload(float[] x) {
        check(JCudaDriver.cuMemcpyHtoD(pointer, Pointer.to(x), 4L * x.length), "cuMemcpyHtoD(" + x.length + " floats)");
    }

    float[] download() {
        float[] y = new float[Math.toIntExact(floats)];
        check(JCudaDriver.cuMemcpyDtoH(Pointer.to(y), pointer, 4L * y.length), "cuMemcpyDtoH(" + y.length + " floats)");
        return y;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            check(JCudaDriver.cuMemFree(pointer), "cuMemFree");
        }
    }
}
