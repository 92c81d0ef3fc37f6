package io.gradquant.backend;

import java.nio.Buffer;

/**
 * The JNI surface of libgradquant.so (native/gq_jni.cpp). {@link #load()} extracts and loads the
 * library once and says why if it cannot.
 */
final class NativeCpu {
    /** Must equal ABI_VERSION in native/gq_jni.cpp. */
    static final int ABI_VERSION = 4;
    static final String RESOURCE = "/native/linux-x86_64/libgradquant.so";

    private static String loadError;
    private static boolean loaded;

    private NativeCpu() {
    }

    /** Loads the library; returns null on success or the reason it is unavailable. */
    static synchronized String load() {
        if (loaded || loadError != null) {
            return loadError;
        }
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        if (!os.equals("Linux/amd64")) {
            loadError = "the native library is built for Linux/amd64 only, this is " + os;
            return loadError;
        }
        try {
            System.load(NativeLibrary.extract(RESOURCE).toString());
            int version = abiVersion();
            if (version != ABI_VERSION) {
                loadError = "native library ABI version " + version + " does not match the Java side's " + ABI_VERSION;
            } else {
                loaded = true;
            }
        } catch (Exception | UnsatisfiedLinkError e) {
            loadError = "cannot load the native library: " + e.getMessage();
        }
        return loadError;
    }

    static native int abiVersion();

    static native int hardwareThreads();

    /** The loops in use: 0 scalar, 1 AVX2, 2 AVX-512 (the best the processor has, unless lowered). */
    static native int vectorLevel();

    /**
     * Sets the loops for the whole process, capped at what the processor has, and returns the
     * level now in force. Every level gives identical outputs; tests use this to run them all.
     */
    static native int setVectorLevel(int level);

    /** Name of a vector level. */
    static String vectorLevelName(int level) {
        return switch (level) {
            case 2 -> "AVX-512 loops";
            case 1 -> "AVX2 loops";
            default -> "scalar loops";
        };
    }

    /** Address of a direct buffer's first element, or 0 for a heap buffer. */
    static native long address(Buffer buffer);

    /**
     * Starts a pool of {@code threads} threads (the caller of each call counts as one) and returns
     * its handle, for every call below; {@link #destroyPool} stops it.
     */
    static native long createPool(int threads);

    /** Waits for the pool's running call, if any, then stops its threads. The handle is dead after. */
    static native void destroyPool(long pool);

    /** Copies n floats from src to dst (addresses) on the pool's threads. */
    static native void copy(long pool, long src, long dst, long n);

    /** Sets n floats at dst (an address) to +0.0 on the pool's threads. */
    static native void zero(long pool, long dst, long n);

    /**
     * Quantizes the float32 segments at {@code addresses} in place, with the quantizer of
     * {@code spec} (a {@link SpecBlock}). Writes {variance, normSquared, buckets, nonFiniteBuckets}
     * to {@code stats}. Throws OutOfMemoryError, with nothing written, if scratch memory cannot be
     * allocated.
     */
    static native void quantize(long pool, byte[] spec, long step, long[] addresses, long[] lengths, double[] stats);

    /**
     * Writes the message of quantizing the segments (docs/wire-format.md) into {@code capacity}
     * bytes at {@code out} (an offset into {@code outArray}, or an address if it is null) and
     * returns its length; stats as {@link #quantize}. With {@code writeBack} the segments also get
     * Q(x). Throws IllegalArgumentException, before writing, if the capacity is below
     * {@code WireFormat.maxEncodedBytes}.
     */
    static native long encode(long pool, byte[] spec, long step, long[] addresses, long[] lengths, byte[] outArray,
            long out, long capacity, boolean writeBack, double[] stats);

    /**
     * Overwrites the segments with the values of the message of {@code length} bytes at
     * {@code message} (an offset into {@code messageArray}, or an address if it is null) or, with
     * {@code add}, adds {@code weight} times them. Throws {@link io.gradquant.codec.MessageException},
     * with nothing written, if the message does not check out: the codes' ranges, and everything
     * that decides what is read and written (defence in depth: the caller has run
     * {@code MessageReader}, which also checks the checksum and every padding byte).
     */
    static native void decode(long pool, byte[] messageArray, long message, long length, long[] addresses, long[] lengths,
            boolean add, float weight);
}
