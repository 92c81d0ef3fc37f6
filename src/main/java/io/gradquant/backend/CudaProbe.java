package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per JVM whether the cuda backend can run here, and why not. Each step is guarded
 * and the first failure becomes the one-line reason; nothing here may end the JVM:
 * <ol>
 * <li>the jar has a fatbin (the build found nvcc), the platform is Linux/amd64;</li>
 * <li>JCuda's natives are pre-seeded atomically ({@link JCudaNatives}) before JCuda is touched;</li>
 * <li>JCuda's driver bindings load: without an NVIDIA driver this is where libcuda.so.1 is missing
 *     (the first touch throws UnsatisfiedLinkError, later ones NoClassDefFoundError, so the
 *     verdict is cached and JCuda never touched again);</li>
 * <li>cuInit, then the driver's CUDA version (13.0 or newer, asked before anything newer is
 *     called: JCuda binds lazily and a call into a symbol the driver lacks ends the process);</li>
 * <li>a device ({@link DeviceOrdinal}: gradquant.cuda.device, else an MPI rank's rank on its node,
 *     else 0) of compute capability 7.5 or newer;</li>
 * <li>its primary context, the module from the fatbin, every kernel;</li>
 * <li>a self-test: a standard quantization over buckets that span segments, compared bit for
 *     bit with the Java reference.</li>
 * </ol>
 */
final class CudaProbe {
    /** Oldest driver API version the kernels run on: CUDA 13 output needs it (driver 580+). */
    static final int MIN_DRIVER_VERSION = 13000;
    /** Oldest compute capability in the fatbin (sm_75; the PTX is compute_75). */
    static final int MIN_COMPUTE_CAPABILITY = 75;

    private static Verdict verdict;

    private CudaProbe() {
    }

    /** The probe's outcome: a usable device, or null and the reason. */
    record Verdict(CudaDevice device, String detail) {
        boolean available() {
            return device != null;
        }
    }

    /** The cached verdict; the first call probes. */
    static synchronized Verdict verdict() {
        if (verdict == null) {
            verdict = probe();
        }
        return verdict;
    }

    private static Verdict probe() {
        try {
            return probeSteps();
        } catch (ProbeFailure e) {
            return new Verdict(null, e.getMessage());
        } catch (Exception | LinkageError e) {
            return new Verdict(null, "probe failed: " + oneLine(e));
        }
    }

    private static Verdict probeSteps() throws ProbeFailure {
        String platform = JCudaNatives.platformProblem();
        if (platform != null) {
            throw new ProbeFailure(platform);
        }
        byte[] image;
        List<Fatbin.Entry> entries;
        try {
            image = Fatbin.image();
            if (image == null) {
                throw new ProbeFailure("this build has no CUDA kernels: nvcc was not found when it was built");
            }
            entries = Fatbin.entries(image);
        } catch (IOException | IllegalArgumentException e) {
            throw new ProbeFailure("cannot read the CUDA kernels in the jar: " + oneLine(e));
        }
        try {
            JCudaNatives.preseed(JCudaNatives.DRIVER);
        } catch (IOException e) {
            throw new ProbeFailure("cannot unpack JCuda's native library: " + oneLine(e));
        }
        try {
            JCudaDriver.setExceptionsEnabled(false); // the first touch: loads the natives and libcuda.so.1
        } catch (UnsatisfiedLinkError e) {
            throw new ProbeFailure(noDriver(e));
        }
        int result = JCudaDriver.cuInit(0);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new ProbeFailure("the CUDA driver did not initialise: cuInit returned " + CudaCheck.errorName(result)
                    + (result == CUresult.CUDA_ERROR_NO_DEVICE ? " (the driver sees no device)" : ""));
        }
        int[] value = new int[1];
        check(JCudaDriver.cuDriverGetVersion(value), "cuDriverGetVersion");
        int driver = value[0];
        if (driver < MIN_DRIVER_VERSION) {
            throw new ProbeFailure("the driver supports CUDA " + CudaDevice.version(driver) + ", the kernels need CUDA "
                    + CudaDevice.version(MIN_DRIVER_VERSION) + " or newer (NVIDIA driver 580 or newer)");
        }
        check(JCudaDriver.cuDeviceGetCount(value), "cuDeviceGetCount");
        int count = value[0];
        if (count == 0) {
            throw new ProbeFailure("the driver reports no CUDA device");
        }
        int ordinal;
        try {
            ordinal = DeviceOrdinal.choose(System.getProperty(DeviceOrdinal.PROPERTY), System.getenv(), count);
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(e.getMessage());
        }
        CUdevice device = new CUdevice();
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] nameBytes = new byte[256];
        check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
        String name = cString(nameBytes);
        int cc = 10 * attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                + attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        if (cc < MIN_COMPUTE_CAPABILITY) {
            throw new ProbeFailure("device " + ordinal + " (" + name + ") has compute capability " + cc / 10 + "." + cc % 10
                    + ", the kernels need 7.5 or newer");
        }
        int multiprocessors = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        CUcontext context = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(" + ordinal + ")");
        try {
            CudaDevice loaded = load(ordinal, name, cc, multiprocessors, driver, context, image, entries);
            return new Verdict(loaded, loaded.describe() + "; kernels " + loaded.kernels + "; self-test passed");
        } catch (ProbeFailure | RuntimeException e) {
            // the device is not used after all: give the primary context back
            int released = JCudaDriver.cuDevicePrimaryCtxRelease(device);
            if (released != CUresult.CUDA_SUCCESS) {
                e.addSuppressed(new CudaCallException("cuDevicePrimaryCtxRelease(" + ordinal + ")", released,
                        CudaCheck.errorName(released)));
            }
            throw e;
        }
    }

    /** Module, kernels and self-test, in the retained primary context. */
    private static CudaDevice load(int ordinal, String name, int cc, int multiprocessors, int driver, CUcontext context,
            byte[] image, List<Fatbin.Entry> entries) throws ProbeFailure {
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CUmodule module = new CUmodule();
        int result = JCudaDriver.cuModuleLoadData(module, image);
        if (result != CUresult.CUDA_SUCCESS) {
            throw new ProbeFailure("cannot load the kernels (" + Fatbin.describe(entries) + ") on " + name + ": "
                    + CudaCheck.errorName(result));
        }
        Map<CudaKernel, CUfunction> functions = new EnumMap<>(CudaKernel.class);
        for (CudaKernel k : CudaKernel.values()) {
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, k.symbol()), "cuModuleGetFunction(" + k.symbol() + ")");
            functions.put(k, f);
        }
        CudaDevice loaded = new CudaDevice(ordinal, name, cc, multiprocessors, driver, Fatbin.describe(entries), context,
                functions);
        String selfTest;
        try (CudaBackend backend = new CudaBackend(loaded)) {
            selfTest = CudaSelfTest.run(backend);
        }
        if (selfTest != null) {
            throw new ProbeFailure("self-test on " + name + " failed: " + selfTest);
        }
        return loaded;
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return value[0];
    }

    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file: ([^\\r\\n]+)");

    /**
     * The reason inside JCuda's UnsatisfiedLinkError, whose message holds the nested stack traces of
     * its two loading attempts: typically "libcuda.so.1: cannot open shared object file".
     */
    static String noDriver(UnsatisfiedLinkError e) {
        Matcher m = MISSING_LIBRARY.matcher(e.getMessage() == null ? "" : e.getMessage());
        if (!m.find()) {
            return "JCuda's driver bindings cannot load: " + oneLine(e);
        }
        String missing = m.group(1) + ": cannot open shared object file: " + m.group(2).strip();
        return (missing.startsWith("libcuda.so") ? "no NVIDIA driver: " : "JCuda's natives cannot load: ") + missing;
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getName() : e.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }

    /** A probe step that failed, with the reason as its message. */
    private static final class ProbeFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ProbeFailure(String reason) {
            super(reason, null, false, false);
        }
    }
}
