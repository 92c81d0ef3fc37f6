package io.gradquant.backend;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** The host side of {@link AddressBackend}'s copies, checked once for every backend. */
final class HostFloats {
    private HostFloats() {
    }

    /**
     * Checks that {@code host} can hold the concatenated segments from index 0.
     *
     * @param written whether the copy writes into {@code host} (then it must not be read-only)
     * @return the total length of the segments
     * @throws IllegalArgumentException for a heap buffer, another byte order, too small a limit, or a
     *         read-only buffer to write into
     */
    static long check(FloatBuffer host, long[] lengths, boolean written) {
        long total = 0;
        for (long n : lengths) {
            total = Math.addExact(total, n);
        }
        if (!host.isDirect() || host.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("the host buffer must be direct and in native order "
                    + ByteOrder.nativeOrder() + ", got a " + (host.isDirect() ? "direct" : "heap") + " buffer in "
                    + host.order());
        }
        if (written && host.isReadOnly()) {
            throw new IllegalArgumentException("the host buffer is read-only");
        }
        if (host.limit() < total) {
            throw new IllegalArgumentException("the host buffer's limit is " + host.limit() + " floats, but the segments"
                    + " hold " + total);
        }
        return total;
    }
}
