package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * The cuda backend: the kernels of {@code cuda/} through JCuda's driver API, on the device's primary
 * context and the legacy default stream, so that it shares memory and ordering with PyTorch (DJL).
 * Output equals the {@code java} backend's element for element for every quantizer.
 *
 * <p>Each call makes one launch over all segments (buckets may span them), one small launch that
 * adds up the statistics, and one device allocation (call header, segment tables, scratch and,
 * for host buffers, the data), freed before the call returns. Calls are synchronous: when one
 * returns, the kernels have finished. Any thread may call; the context is made current on it.
 */
public final class CudaBackend implements AddressBackend {
    /** Default most floats of a bucket that a block keeps in shared memory (32 KiB). */
    public static final int DEFAULT_ON_CHIP = 8192;
    /**
     * Largest on-chip limit: 44 KiB of dynamic shared memory, which with the kernels' static shared
     * memory (at most about 2 KiB, gq_smart) stays within the 48 KiB every device gives a block
     * without opting in.
     */
    public static final int MAX_ON_CHIP = 11 * 1024;

    private final CudaDevice device;
    private final int onChipLimit;

    /**
     * The backend on the probed device.
     *
     * @throws IllegalStateException with the reason, if there is no usable device
     */
    public CudaBackend() {
        this(requireDevice(), DEFAULT_ON_CHIP);
    }

    CudaBackend(CudaDevice device) {
        this(device, DEFAULT_ON_CHIP);
    }

    private CudaBackend(CudaDevice device, int onChipLimit) {
        this.device = device;
        this.onChipLimit = onChipLimit;
    }

    private static CudaDevice requireDevice() {
        CudaProbe.Verdict v = CudaProbe.verdict();
        if (!v.available()) {
            throw new IllegalStateException(v.detail());
        }
        return v.device();
    }

    /** Null if the backend can be used here, else the reason (probing once per JVM). */
    public static String unavailableReason() {
        CudaProbe.Verdict v = CudaProbe.verdict();
        return v.available() ? null : v.detail();
    }

    /** The probe's one-line verdict: the device and kernels, or why there is none. */
    public static String describe() {
        return CudaProbe.verdict().detail();
    }

    /**
     * The same backend, keeping buckets (hadamard: padded buckets) of at most {@code floats} values
     * in shared memory; larger ones take the global-memory path. For tests and benchmarks.
     *
     * @param floats in [1, {@link #MAX_ON_CHIP}]
     */
    public CudaBackend withOnChipLimit(int floats) {
        if (floats < 1 || floats > MAX_ON_CHIP) {
            throw new IllegalArgumentException("on-chip limit " + floats + " is not allowed: it must be in [1, "
                    + MAX_ON_CHIP + "]");
        }
        return new CudaBackend(device, floats);
    }

    @Override
    public String name() {
        return "cuda";
    }

    /**
     * Quantizes host buffers (heap or direct): copies them to the device, quantizes, copies back.
     */
    @Override
    public QuantStats quantize(QuantizerSpec spec, long step, Segments segments) {
        long[] lengths = new long[segments.count()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = segments.length(i);
        }
        return run(spec, step, lengths, null, segments);
    }

    @Override
    public Memory memory() {
        return Memory.CUDA_DEVICE;
    }

    /** {@link #quantizeDevice}: the entry the DJL listener uses for GPU gradients. */
    @Override
    public QuantStats quantizeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths) {
        return quantizeDevice(spec, step, addresses, lengths);
    }

    /**
     * Quantizes float32 device memory in place: segment i is {@code lengths[i]} floats at device
     * address {@code addresses[i]} (for example a PyTorch tensor's data pointer). The caller keeps
     * the memory alive and valid on this device for the call; it is never read from Java.
     *
     * @throws IllegalArgumentException before touching the device, for a null or misaligned address
     *         or a negative length
     */
    public QuantStats quantizeDevice(QuantizerSpec spec, long step, long[] addresses, long[] lengths) {
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException(addresses.length + " addresses but " + lengths.length + " lengths");
        }
        for (int i = 0; i < addresses.length; i++) {
            if (lengths[i] < 0 || (lengths[i] > 0 && (addresses[i] == 0 || addresses[i] % Float.BYTES != 0))) {
                throw new IllegalArgumentException("segment " + i + " has device address " + addresses[i] + " and length "
                        + lengths[i] + ": need length >= 0 and a non-null address aligned to 4 bytes");
            }
        }
        return run(spec, step, lengths, addresses.clone(), null);
    }

    private QuantStats run(QuantizerSpec spec, long step, long[] lengths, long[] deviceAddresses, Segments host) {
        CallGeometry g = CallGeometry.of(spec, lengths);
        if (g.buckets() == 0) {
            return new QuantStats(0.0, 0.0, 0, 0);
        }
        LaunchShape shape = KernelFamily.of(spec).shape(spec, g.buckets(), g.largestBucket(), device.multiprocessors,
                onChipLimit);
        CallBlock block = new CallBlock(g, shape, host == null ? 0 : Float.BYTES * g.total());
        device.makeCurrent();
        try (DeviceMemory memory = DeviceMemory.allocate(block.bytes)) {
            long base = memory.address();
            long[] addresses = deviceAddresses;
            if (host != null) {
                addresses = new long[g.segments()];
                for (int s = 0; s < addresses.length; s++) {
                    addresses[s] = base + block.data + Float.BYTES * g.offsets()[s];
                }
            }
            byte[] table = block.encode(base, spec, step, g, shape, addresses);
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(base), Pointer.to(table), table.length),
                    "cuMemcpyHtoD(call header and segment tables, " + table.length + " bytes)");
            if (host != null) {
                HostCopy.toDevice(host, base + block.data, g.offsets());
            }
            launch(shape.kernel(), shape.grid(), shape.threads(), shape.sharedBytes(), base);
            launch(CudaKernel.REDUCE_STATS, 1, reduceThreads(shape.grid()), 0, base);
            double[] stats = new double[CallBlock.PARTIAL_WORDS];
            // synchronous on the legacy default stream: waits for both kernels
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(stats), DevicePointer.at(base + block.stats),
                    (long) Double.BYTES * stats.length), "cuMemcpyDtoH(statistics) after " + shape.kernel().symbol());
            if (stats[3] != 0) {
                throw new IllegalStateException(shape.kernel().symbol() + " refused its scratch memory (error " + stats[3]
                        + "): SmartLauncher and cuda/gq_smart.cu disagree on its layout");
            }
            if (host != null) {
                HostCopy.toHost(base + block.data, g.offsets(), host);
            }
            return new QuantStats(stats[0], stats[1], g.buckets(), (long) stats[2]);
        }
    }

    /** Launches {@code kernel(const gq::Call*)} with the call block at {@code call}. */
    private void launch(CudaKernel kernel, int grid, int threads, int sharedBytes, long call) {
        Pointer parameters = Pointer.to(Pointer.to(new long[] {call}));
        check(JCudaDriver.cuLaunchKernel(device.function(kernel), grid, 1, 1, threads, 1, 1, sharedBytes, null, parameters,
                null), "cuLaunchKernel(" + kernel.symbol() + ", " + grid + " blocks of " + threads + " threads, "
                + sharedBytes + " bytes of shared memory)");
    }

    private static int reduceThreads(int partials) {
        int t = 32;
        while (t < 256 && t < partials) {
            t <<= 1;
        }
        return t;
    }

    /** The device this backend runs on, in one line. */
    public String device() {
        return device.describe();
    }

    /**
     * The CUDA ordinal of the device this backend runs on (system property
     * {@code gradquant.cuda.device}, default 0): DJL's {@code Device.gpu(ordinal)} is the same device.
     */
    public int deviceOrdinal() {
        return device.ordinal;
    }
}
