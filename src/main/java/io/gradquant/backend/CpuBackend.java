package io.gradquant.backend;

import io.gradquant.BucketLayout;
import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The native CPU backend: C++ kernels (native/, with the shared math of cuda/) through JNI, in
 * place on direct, native-order buffers, on up to {@link #threads()} threads. Output equals the
 * {@code java} backend's element for element.
 */
public final class CpuBackend implements AddressBackend {
    private final int threads;

    /**
     * @param threads worker threads, >= 1 (0 = one per hardware thread)
     * @throws IllegalStateException with the reason if the native library cannot be loaded
     */
    public CpuBackend(int threads) {
        String error = NativeCpu.load();
        if (error != null) {
            throw new IllegalStateException(error);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " is not allowed: it must be >= 1, or 0 for all");
        }
        this.threads = threads == 0 ? NativeCpu.hardwareThreads() : threads;
    }

    /** Null if the backend can be used here, else the reason. */
    public static String unavailableReason() {
        return NativeCpu.load();
    }

    /**
     * The loops the native library runs: 0 scalar, 1 AVX2, 2 AVX-512; by default the best the
     * processor has.
     */
    public static int vectorLevel() {
        return NativeCpu.vectorLevel();
    }

    /**
     * Sets the loops for the whole process (capped at what the processor has) and returns the
     * level now in force. Every level gives identical outputs; this exists so that tests can run
     * each path and benchmarks can compare them.
     */
    public static int setVectorLevel(int level) {
        return NativeCpu.setVectorLevel(level);
    }

    /**
     * Copies {@code src} into {@code dst} (direct, equal length) with this backend's threads, split
     * as a quantization call splits its buckets: the memory-bandwidth baseline of the benchmarks.
     */
    public void copy(FloatBuffer src, FloatBuffer dst) {
        if (!src.isDirect() || !dst.isDirect() || src.limit() != dst.limit()) {
            throw new IllegalArgumentException("copy needs two direct buffers of equal length, got " + src.limit()
                    + (src.isDirect() ? " direct" : " heap") + " and " + dst.limit() + (dst.isDirect() ? " direct" : " heap"));
        }
        NativeCpu.copy(NativeCpu.address(src), NativeCpu.address(dst), src.limit(), threads);
    }

    /** Number of worker threads. */
    public int threads() {
        return threads;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Memory memory() {
        return Memory.HOST;
    }

    @Override
    public QuantStats quantize(QuantizerSpec spec, long step, Segments segments) {
        long[] addresses = new long[segments.count()];
        long[] lengths = new long[segments.count()];
        for (int i = 0; i < segments.count(); i++) {
            FloatBuffer b = segments.segment(i);
            if (!b.isDirect()) {
                throw new IllegalArgumentException("segment " + i + " is a heap buffer: the cpu backend works in place"
                        + " on direct buffers only (allocate with ByteBuffer.allocateDirect, or use the java backend)");
            }
            if (b.order() != ByteOrder.nativeOrder()) {
                throw new IllegalArgumentException("segment " + i + " has byte order " + b.order()
                        + ": the cpu backend needs native order " + ByteOrder.nativeOrder());
            }
            addresses[i] = NativeCpu.address(b);
            lengths[i] = segments.length(i);
        }
        return quantizeAddresses(spec, step, addresses, lengths);
    }

    /**
     * Quantizes raw float32 memory in place: segment i is {@code lengths[i]} floats at
     * {@code addresses[i]}. The caller guarantees the memory is valid and writable for the call;
     * this is the path the DJL integration uses for tensors it exposes by address.
     */
    @Override
    public QuantStats quantizeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths) {
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException(addresses.length + " addresses but " + lengths.length + " lengths");
        }
        for (int i = 0; i < addresses.length; i++) {
            if (lengths[i] < 0 || (lengths[i] > 0 && addresses[i] == 0)) {
                throw new IllegalArgumentException("segment " + i + " has address " + addresses[i] + " and length "
                        + lengths[i] + ": need length >= 0 and a non-null address");
            }
        }
        double[] stats = new double[4];
        NativeCpu.quantize(spec.type().id(), spec.bucketSize(), spec.levels(), spec.seed(), spec.smartFraction(),
                spec.exponentialNorm().id(), spec.layout() == BucketLayout.PER_SEGMENT, step, addresses, lengths,
                threads, stats);
        return new QuantStats(stats[0], stats[1], (long) stats[2], (long) stats[3]);
    }
}
