package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.codec.Encoded;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import jcuda.driver.JCudaDriver;

/**
 * The cuda backend: the kernels of {@code cuda/} through JCuda's driver API, on the device's primary
 * context and the legacy default stream, so that it shares memory and ordering with PyTorch (DJL).
 * Output equals the {@code java} backend's element for element for every quantizer, and its
 * messages (encode) equal the java backend's byte for byte.
 *
 * <p>Each quantize call makes one launch over all segments (buckets may span them) and one small
 * launch that adds up the statistics. Its device memory (call header, segment tables, scratch and,
 * for host buffers, the data) comes from a workspace that grows as needed and is freed by
 * {@link #close()}: allocating and freeing per call would cost a cuMemFree, which synchronises the
 * device, on every step. Calls on one backend therefore run one at a time, quantize, encode and
 * decode ({@link CudaCodec}) alike; only the message crosses between host and device for device
 * memory. Calls are synchronous: when one returns, the kernels have finished. Any thread may call;
 * the context is made current on it.
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
    private final DeviceWorkspace workspace = new DeviceWorkspace();
    private final CudaCodec codec;

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
        this.codec = new CudaCodec(device, onChipLimit, workspace);
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
        return run(spec, step, segments.lengths(), null, segments);
    }

    /** Encodes host buffers (heap or direct): copies them to the device, and back for write-back. */
    @Override
    public Encoded encode(QuantizerSpec spec, long step, Segments segments, ByteBuffer out, boolean writeBack) {
        return codec.encode(spec, step, segments.lengths(), null, segments, out, writeBack);
    }

    /** Decodes into host buffers (heap or direct) through the device. */
    @Override
    public void decode(ByteBuffer message, Segments destination) {
        codec.decode(message, destination.lengths(), null, destination, false, 1.0f);
    }

    /** Adds a message's values into host buffers (heap or direct) through the device. */
    @Override
    public void decodeAdd(ByteBuffer message, Segments destination, float weight) {
        codec.decode(message, destination.lengths(), null, destination, true, weight);
    }

    /**
     * Encodes float32 device memory (segments as in {@link #quantizeDevice}); only the message
     * comes to the host.
     */
    @Override
    public Encoded encodeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths, ByteBuffer out,
            boolean writeBack) {
        checkDevice(addresses, lengths);
        return codec.encode(spec, step, lengths.clone(), addresses.clone(), null, out, writeBack);
    }

    /** Decodes a host message into float32 device memory (segments as in {@link #quantizeDevice}). */
    @Override
    public void decodeAddresses(ByteBuffer message, long[] addresses, long[] lengths) {
        checkDevice(addresses, lengths);
        codec.decode(message, lengths.clone(), addresses.clone(), null, false, 1.0f);
    }

    /** Adds a host message's values into float32 device memory (segments as in {@link #quantizeDevice}). */
    @Override
    public void decodeAddAddresses(ByteBuffer message, long[] addresses, long[] lengths, float weight) {
        checkDevice(addresses, lengths);
        codec.decode(message, lengths.clone(), addresses.clone(), null, true, weight);
    }

    /** Zeroes float32 device memory (segments as in {@link #quantizeDevice}) with cuMemsetD8 on the default stream. */
    @Override
    public void zeroAddresses(long[] addresses, long[] lengths) {
        checkDevice(addresses, lengths);
        device.makeCurrent();
        for (int i = 0; i < addresses.length; i++) {
            if (lengths[i] > 0) {
                check(JCudaDriver.cuMemsetD8(DevicePointer.at(addresses[i]), (byte) 0, Float.BYTES * lengths[i]),
                        "cuMemsetD8(segment " + i + ", " + lengths[i] + " floats)");
            }
        }
    }

    /** Copies float32 device memory (segments as in {@link #quantizeDevice}) to the host, one copy per segment. */
    @Override
    public void copyToHost(long[] addresses, long[] lengths, FloatBuffer host) {
        checkDevice(addresses, lengths);
        HostFloats.check(host, lengths, true);
        device.makeCurrent();
        HostCopy.gather(addresses, lengths, host);
    }

    /** Copies host values into float32 device memory (segments as in {@link #quantizeDevice}), one copy per segment. */
    @Override
    public void copyFromHost(FloatBuffer host, long[] addresses, long[] lengths) {
        checkDevice(addresses, lengths);
        HostFloats.check(host, lengths, false);
        device.makeCurrent();
        HostCopy.scatter(host, addresses, lengths);
    }

    /** Frees the workspace; later calls that need device memory throw IllegalStateException. Idempotent. */
    @Override
    public void close() {
        synchronized (workspace) {
            if (workspace.bytes() > 0) {
                device.makeCurrent();
            }
            workspace.close();
        }
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
        checkDevice(addresses, lengths);
        return run(spec, step, lengths, addresses.clone(), null);
    }

    private static void checkDevice(long[] addresses, long[] lengths) {
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException(addresses.length + " addresses but " + lengths.length + " lengths");
        }
        for (int i = 0; i < addresses.length; i++) {
            if (lengths[i] < 0 || (lengths[i] > 0 && (addresses[i] == 0 || addresses[i] % Float.BYTES != 0))) {
                throw new IllegalArgumentException("segment " + i + " has device address " + addresses[i] + " and length "
                        + lengths[i] + ": need length >= 0 and a non-null address aligned to 4 bytes");
            }
        }
    }

    private QuantStats run(QuantizerSpec spec, long step, long[] lengths, long[] deviceAddresses, Segments host) {
        CallGeometry g = CallGeometry.of(spec, lengths);
        if (g.buckets() == 0) {
            return new QuantStats(0.0, 0.0, 0, 0);
        }
        LaunchShape shape = KernelFamily.of(spec).shape(spec, g.buckets(), g.largestBucket(), device.multiprocessors,
                onChipLimit);
        CallBlock block = new CallBlock(g, shape, host == null ? 0 : Float.BYTES * g.total(), null);
        synchronized (workspace) {
            device.makeCurrent();
            long base = workspace.reserve(block.bytes);
            CudaLaunch.upload(block, base, spec, step, g, shape, deviceAddresses);
            if (host != null) {
                HostCopy.toDevice(host, base + block.data, g.offsets());
            }
            QuantStats stats = CudaLaunch.quantize(device, shape, block, base, g.buckets());
            if (host != null) {
                HostCopy.toHost(base + block.data, g.offsets(), host);
            }
            return stats;
        }
    }

    /** The device this backend runs on, in one line. */
    public String device() {
        return device.describe();
    }

    /**
     * The CUDA ordinal of the device this backend runs on (system property
     * {@code gradquant.cuda.device}; else, in an MPI rank, its rank on the node modulo the device
     * count; else 0): DJL's {@code Device.gpu(ordinal)} is the same device.
     */
    public int deviceOrdinal() {
        return device.ordinal;
    }
}
