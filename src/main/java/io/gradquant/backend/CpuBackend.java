package io.gradquant.backend;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageReader;
import io.gradquant.codec.WireFormat;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The native CPU backend: C++ kernels (native/, with the shared math of cuda/) through JNI, in
 * place on direct, native-order buffers, on a pool of {@link #threads()} threads that starts with
 * the first call and stops on {@link #close()} (or when the backend is garbage collected). Output
 * equals the {@code java} backend's element for element. Calls on one backend run one at a time.
 */
public final class CpuBackend implements AddressBackend {
    private static final Cleaner CLEANER = Cleaner.create();

    private final int threads;
    private final PoolHandle pool;
    private final Cleaner.Cleanable cleanable;

    /** The native pool: created on first use, destroyed once, never used after that. */
    private static final class PoolHandle implements Runnable {
        private final int threads;
        private long handle;
        private boolean closed;

        PoolHandle(int threads) {
            this.threads = threads;
        }

        /** The live handle (callers hold this object's lock for the whole native call). */
        long get() {
            if (closed) {
                throw new IllegalStateException("the cpu backend is closed");
            }
            if (handle == 0) {
                handle = NativeCpu.createPool(threads);
            }
            return handle;
        }

        @Override
        public synchronized void run() {
            closed = true;
            if (handle != 0) {
                NativeCpu.destroyPool(handle);
                handle = 0;
            }
        }
    }

    /**
     * @param threads worker threads, >= 1 (0 = one per hardware thread)
     * @throws IllegalStateException with the reason if the native library cannot be loaded
     */
    public CpuBackend(int threads) {
        requireLibrary();
        if (threads < 0) {
            throw new IllegalArgumentException("threads " + threads + " is not allowed: it must be >= 1, or 0 for all");
        }
        this.threads = threads == 0 ? NativeCpu.hardwareThreads() : threads;
        this.pool = new PoolHandle(this.threads);
        this.cleanable = CLEANER.register(this, pool);
    }

    /** Null if the backend can be used here, else the reason. */
    public static String unavailableReason() {
        return NativeCpu.load();
    }

    /**
     * The loops the native library runs: 0 scalar, 1 AVX2, 2 AVX-512; by default the best the
     * processor has.
     *
     * @throws IllegalStateException with the reason if the native library cannot be loaded
     */
    public static int vectorLevel() {
        requireLibrary();
        return NativeCpu.vectorLevel();
    }

    /**
     * Sets the loops for the whole process (capped at what the processor has) and returns the
     * level now in force. Every level gives identical outputs; this exists so that tests can run
     * each path and benchmarks can compare them.
     */
    public static int setVectorLevel(int level) {
        requireLibrary();
        return NativeCpu.setVectorLevel(level);
    }

    private static void requireLibrary() {
        String error = NativeCpu.load();
        if (error != null) {
            throw new IllegalStateException(error);
        }
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
        synchronized (pool) {
            NativeCpu.copy(pool.get(), NativeCpu.address(src), NativeCpu.address(dst), src.limit());
        }
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

    /** Stops the thread pool; later calls throw IllegalStateException. Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public QuantStats quantize(QuantizerSpec spec, long step, Segments segments) {
        return quantizeAddresses(spec, step, addresses(segments), lengths(segments));
    }

    /**
     * Quantizes raw float32 memory in place: segment i is {@code lengths[i]} floats at
     * {@code addresses[i]}. The caller guarantees the memory is valid and writable for the call;
     * this is the path the DJL integration uses for tensors it exposes by address.
     */
    @Override
    public QuantStats quantizeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths) {
        checkAddresses(addresses, lengths);
        double[] stats = new double[4];
        synchronized (pool) {
            NativeCpu.quantize(pool.get(), SpecBlock.of(spec), step, addresses, lengths, stats);
        }
        return statsOf(stats);
    }

    @Override
    public Encoded encode(QuantizerSpec spec, long step, Segments segments, ByteBuffer out, boolean writeBack) {
        return encodeAddresses(spec, step, addresses(segments), lengths(segments), out, writeBack);
    }

    @Override
    public Encoded encodeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths, ByteBuffer out,
            boolean writeBack) {
        checkAddresses(addresses, lengths);
        if (out.isReadOnly()) {
            throw new IllegalArgumentException("the output buffer is read-only");
        }
        byte[] block = SpecBlock.of(spec);
        long most = WireFormat.maxEncodedBytes(spec, lengths);
        if (out.remaining() < most) {
            throw new IllegalArgumentException("the output buffer has " + out.remaining() + " bytes remaining, but a message"
                    + " of " + spec + " over these segments may take up to " + most);
        }
        double[] stats = new double[4];
        long bytes;
        synchronized (pool) {
            bytes = NativeCpu.encode(pool.get(), block, step, addresses, lengths, arrayOf(out), offsetOf(out),
                    out.remaining(), writeBack, stats);
        }
        out.position(Math.toIntExact(out.position() + bytes));
        return new Encoded(bytes, statsOf(stats));
    }

    @Override
    public void decode(ByteBuffer message, Segments destination) {
        decodeAddresses(message, addresses(destination), lengths(destination));
    }

    @Override
    public void decodeAdd(ByteBuffer message, Segments destination, float weight) {
        decodeAddAddresses(message, addresses(destination), lengths(destination), weight);
    }

    @Override
    public void decodeAddresses(ByteBuffer message, long[] addresses, long[] lengths) {
        decodeInto(message, addresses, lengths, false, 1.0f);
    }

    @Override
    public void decodeAddAddresses(ByteBuffer message, long[] addresses, long[] lengths, float weight) {
        decodeInto(message, addresses, lengths, true, weight);
    }

    @Override
    public void zeroAddresses(long[] addresses, long[] lengths) {
        checkAddresses(addresses, lengths);
        synchronized (pool) {
            long handle = pool.get();
            for (int i = 0; i < addresses.length; i++) {
                if (lengths[i] > 0) {
                    NativeCpu.zero(handle, addresses[i], lengths[i]);
                }
            }
        }
    }

    @Override
    public void copyToHost(long[] addresses, long[] lengths, FloatBuffer host) {
        checkAddresses(addresses, lengths);
        HostFloats.check(host, lengths, true);
        copyAll(addresses, lengths, NativeCpu.address(host), true);
    }

    @Override
    public void copyFromHost(FloatBuffer host, long[] addresses, long[] lengths) {
        checkAddresses(addresses, lengths);
        HostFloats.check(host, lengths, false);
        copyAll(addresses, lengths, NativeCpu.address(host), false);
    }

    /** Segment i to or from {@code host + 4 * (lengths[0] + ... + lengths[i-1])}. */
    private void copyAll(long[] addresses, long[] lengths, long host, boolean toHost) {
        synchronized (pool) {
            long handle = pool.get();
            long at = host;
            for (int i = 0; i < addresses.length; i++) {
                if (lengths[i] > 0) {
                    NativeCpu.copy(handle, toHost ? addresses[i] : at, toHost ? at : addresses[i], lengths[i]);
                }
                at += Float.BYTES * lengths[i];
            }
        }
    }

    private void decodeInto(ByteBuffer message, long[] addresses, long[] lengths, boolean add, float weight) {
        checkAddresses(addresses, lengths);
        MessageReader.read(message, lengths); // every field, record, padding and the checksum; the codes are native's
        ByteBuffer bytes = message.hasArray() || message.isDirect() ? message : copyOf(message);
        synchronized (pool) {
            NativeCpu.decode(pool.get(), arrayOf(bytes), offsetOf(bytes), bytes.remaining(), addresses, lengths, add, weight);
        }
    }

    private static ByteBuffer copyOf(ByteBuffer readOnly) {
        ByteBuffer copy = ByteBuffer.allocate(readOnly.remaining());
        copy.put(readOnly.duplicate());
        return copy.flip();
    }

    /** The heap array behind {@code b}, or null for a direct buffer. */
    private static byte[] arrayOf(ByteBuffer b) {
        return b.isDirect() ? null : b.array();
    }

    /** Where {@code b}'s remaining bytes start: an offset into its array, or an address. */
    private static long offsetOf(ByteBuffer b) {
        return b.isDirect() ? NativeCpu.address(b) + b.position() : b.arrayOffset() + b.position();
    }

    private static QuantStats statsOf(double[] stats) {
        return new QuantStats(stats[0], stats[1], (long) stats[2], (long) stats[3]);
    }

    private static void checkAddresses(long[] addresses, long[] lengths) {
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException(addresses.length + " addresses but " + lengths.length + " lengths");
        }
        for (int i = 0; i < addresses.length; i++) {
            if (lengths[i] < 0 || (lengths[i] > 0 && addresses[i] == 0)) {
                throw new IllegalArgumentException("segment " + i + " has address " + addresses[i] + " and length "
                        + lengths[i] + ": need length >= 0 and a non-null address");
            }
        }
    }

    private static long[] addresses(Segments segments) {
        long[] addresses = new long[segments.count()];
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
        }
        return addresses;
    }

    private static long[] lengths(Segments segments) {
        long[] lengths = new long[segments.count()];
        for (int i = 0; i < segments.count(); i++) {
            lengths[i] = segments.length(i);
        }
        return lengths;
    }
}
