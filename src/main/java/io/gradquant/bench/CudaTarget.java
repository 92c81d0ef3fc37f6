package io.gradquant.bench;

import ai.djl.Device;
import io.gradquant.QuantizerSpec;
import io.gradquant.backend.CudaBackend;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A {@link BenchTarget} on the GPU: the slots live in device memory, quantization runs on them in
 * place through {@link CudaBackend#quantizeDevice} (as on a PyTorch gradient), encode and decode
 * through the address forms (only the message crosses to and from the host, as in data-parallel
 * training), and the baseline is a device-to-device copy followed by a synchronize. Host buffers
 * would measure PCIe, not the kernels.
 *
 * <p>Made only after {@code new CudaBackend()} succeeded, so JCuda's natives are loaded (safely, by
 * the backend's probe) and the device works. The allocations use the device's primary context,
 * the one the backend (and PyTorch) uses, retained here and released on {@link #close()}.
 */
final class CudaTarget implements BenchTarget {
    private final CudaBackend backend;
    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final long[] pristine;
    private final long[] work;
    private final CUdeviceptr[] allocations;
    private final long elements;

    CudaTarget(CudaBackend backend, FloatBuffer[] host) {
        this.backend = backend;
        this.ordinal = backend.deviceOrdinal(); // the slots live on the backend's device
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
        makeCurrent();
        this.elements = host[0].limit();
        this.pristine = new long[host.length];
        this.work = new long[host.length];
        this.allocations = new CUdeviceptr[2 * host.length];
        try {
            for (int i = 0; i < host.length; i++) {
                pristine[i] = allocate(2 * i);
                work[i] = allocate(2 * i + 1);
                check(JCudaDriver.cuMemcpyHtoD(at(pristine[i]), Pointer.to(host[i].duplicate().clear()), bytes()),
                        "cuMemcpyHtoD(slot " + i + ")");
                restore(i);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public String backend() {
        return backend.name();
    }

    @Override
    public int threads() {
        return 1; // one host thread drives the device
    }

    @Override
    public String detail() {
        return backend.device();
    }

    @Override
    public String copyBaseline() {
        return "device-to-device cuMemcpyDtoD, then cuCtxSynchronize";
    }

    @Override
    public Device djlDevice() {
        return Device.gpu(ordinal);
    }

    @Override
    public int slots() {
        return work.length;
    }

    @Override
    public void quantize(QuantizerSpec spec, long step, int slot) {
        backend.quantizeDevice(spec, step, new long[] {work[slot]}, new long[] {elements}); // synchronous
    }

    @Override
    public void encode(QuantizerSpec spec, long step, int slot, ByteBuffer out) {
        backend.encodeAddresses(spec, step, new long[] {work[slot]}, new long[] {elements}, out, false);
    }

    @Override
    public void decode(ByteBuffer message, int slot) {
        backend.decodeAddresses(message, new long[] {work[slot]}, new long[] {elements});
    }

    @Override
    public void copy(int slot) {
        makeCurrent();
        check(JCudaDriver.cuMemcpyDtoD(at(work[slot]), at(pristine[slot]), bytes()), "cuMemcpyDtoD(slot " + slot + ")");
        // a device-to-device copy returns before it is done
        check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize after cuMemcpyDtoD");
    }

    @Override
    public void restore(int slot) {
        copy(slot);
    }

    @Override
    public void close() {
        makeCurrent();
        for (CUdeviceptr p : allocations) {
            if (p != null) {
                JCudaDriver.cuMemFree(p);
            }
        }
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    private void makeCurrent() {
        // a context is current per thread, and the caller's thread may not have used CUDA yet
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(primary context of device " + ordinal + ")");
    }

    private long bytes() {
        return elements * Float.BYTES;
    }

    /** Allocates one slot buffer into allocations[index] and returns its device address. */
    private long allocate(int index) {
        Address p = new Address();
        check(JCudaDriver.cuMemAlloc(p, bytes()), "cuMemAlloc(" + bytes() + " bytes)");
        allocations[index] = p;
        return p.address();
    }

    /**
     * A device pointer for JCuda's copies: they read the native pointer plus the byte offset, so a
     * raw address goes in as the offset.
     */
    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    private static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(what + " returned " + CUresult.stringFor(result));
        }
    }

    /** JCuda keeps an allocation's address in a protected field: a subclass reads it. */
    private static final class Address extends CUdeviceptr {
        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
