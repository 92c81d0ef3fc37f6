package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import java.util.EnumMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

/**
 * A device that passed the probe: its primary context (the one PyTorch uses, so that memory
 * allocated by DJL can be handed to the kernels), the loaded module and its kernels. Shared by
 * every {@link CudaBackend}; lives as long as the JVM.
 */
final class CudaDevice {
    final int ordinal;
    final String name;
    final int computeCapability; // major*10 + minor
    final int multiprocessors;
    final int driverVersion; // e.g. 13000 for CUDA 13.0
    final String kernels; // what the fatbin holds, for info
    private final CUcontext context;
    private final Map<CudaKernel, CUfunction> functions;

    CudaDevice(int ordinal, String name, int computeCapability, int multiprocessors, int driverVersion, String kernels,
            CUcontext context, Map<CudaKernel, CUfunction> functions) {
        this.ordinal = ordinal;
        this.name = name;
        this.computeCapability = computeCapability;
        this.multiprocessors = multiprocessors;
        this.driverVersion = driverVersion;
        this.kernels = kernels;
        this.context = context;
        this.functions = new EnumMap<>(functions);
    }

    /**
     * Makes the primary context current on the calling thread. Every entry point calls this first:
     * a CUDA context is current per thread, and the caller's thread may never have used CUDA.
     */
    void makeCurrent() {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(primary context of device " + ordinal + ")");
    }

    CUfunction function(CudaKernel kernel) {
        return functions.get(kernel);
    }

    /** One line: name, compute capability, multiprocessors, driver. */
    String describe() {
        return name + " (device " + ordinal + ", compute capability " + computeCapability / 10 + "." + computeCapability % 10
                + ", " + multiprocessors + " multiprocessors), driver for CUDA " + version(driverVersion);
    }

    /** 13000 -> "13.0". */
    static String version(int cudaVersion) {
        return cudaVersion / 1000 + "." + cudaVersion % 1000 / 10;
    }
}
