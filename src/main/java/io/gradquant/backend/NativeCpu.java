package io.gradquant.backend;

import java.nio.Buffer;

/**
 * The JNI surface of libgradquant.so (native/gq_jni.cpp). {@link #load()} extracts and loads the
 * library once and says why if it cannot.
 */
final class NativeCpu {
    /** Must equal ABI_VERSION in native/gq_jni.cpp. */
    static final int ABI_VERSION = 2;
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

    /** Copies n floats from src to dst (addresses) on up to {@code threads} threads. */
    static native void copy(long src, long dst, long n, int threads);

    /** Address of a direct buffer's first element, or 0 for a heap buffer. */
    static native long address(Buffer buffer);

    /**
     * Quantizes the float32 segments at {@code addresses} in place. Writes {variance, normSquared,
     * buckets, nonFiniteBuckets} to {@code stats}. Throws OutOfMemoryError, with nothing written,
     * if scratch memory cannot be allocated.
     */
    static native void quantize(int type, int bucketSize, int levels, long seed, double smartFraction, int norm,
            boolean perSegment, long step, long[] addresses, long[] lengths, int threads, double[] stats);
}
