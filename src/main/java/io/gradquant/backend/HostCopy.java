package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import io.gradquant.Segments;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Copies host segments to consecutive device memory and back. Direct native-order buffers are
 * copied straight from their memory; any other buffer (heap, or another byte order) goes through
 * a float[] of at most {@link #CHUNK} values. Also the reverse arrangement: device segments to
 * consecutive host memory and back ({@link #gather}, {@link #scatter}).
 */
final class HostCopy {
    static final int CHUNK = 1 << 20;

    private HostCopy() {
    }

    /** Segment i to {@code device + 4 * offsets[i]}. */
    static void toDevice(Segments segments, long device, long[] offsets) {
        copy(segments, device, offsets, true);
    }

    /** {@code device + 4 * offsets[i]} back to segment i. */
    static void toHost(long device, long[] offsets, Segments segments) {
        copy(segments, device, offsets, false);
    }

    /**
     * Device segment i ({@code lengths[i]} floats at {@code addresses[i]}) to consecutive values of
     * {@code host} from index 0 (a direct, native-order buffer, checked by the caller).
     */
    static void gather(long[] addresses, long[] lengths, FloatBuffer host) {
        copy(addresses, lengths, host, false);
    }

    /** The reverse of {@link #gather}: consecutive values of {@code host} from index 0 to the device segments. */
    static void scatter(FloatBuffer host, long[] addresses, long[] lengths) {
        copy(addresses, lengths, host, true);
    }

    private static void copy(long[] addresses, long[] lengths, FloatBuffer host, boolean toDevice) {
        int at = 0;
        for (int i = 0; i < addresses.length; i++) {
            int n = Math.toIntExact(lengths[i]);
            if (n > 0) {
                // a slice's memory starts at its first value: JCuda takes a direct buffer's start address
                memcpy(toDevice, Pointer.to(host.slice(at, n)), addresses[i], n, "(segment " + i + ", " + n + " floats)");
            }
            at += n;
        }
    }

    private static void copy(Segments segments, long device, long[] offsets, boolean toDevice) {
        for (int i = 0; i < segments.count(); i++) {
            FloatBuffer b = segments.segment(i);
            long n = segments.length(i);
            long at = device + Float.BYTES * offsets[i];
            if (n == 0) {
                continue;
            }
            if (isPlain(b)) {
                memcpy(toDevice, Pointer.to(b), at, n, "(segment " + i + ", " + n + " floats)");
                continue;
            }
            float[] chunk = new float[(int) Math.min(n, CHUNK)];
            for (int pos = 0; pos < n; pos += chunk.length) {
                int k = (int) Math.min(chunk.length, n - pos);
                if (toDevice) {
                    b.get(pos, chunk, 0, k);
                }
                memcpy(toDevice, Pointer.to(chunk), at + (long) Float.BYTES * pos, k,
                        "(segment " + i + ", " + k + " floats at " + pos + ")");
                if (!toDevice) {
                    b.put(pos, chunk, 0, k);
                }
            }
        }
    }

    /** One checked copy of {@code floats} values between host memory and {@code device}. */
    private static void memcpy(boolean toDevice, Pointer host, long device, long floats, String what) {
        long bytes = floats * Float.BYTES;
        if (toDevice) {
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(device), host, bytes), "cuMemcpyHtoD" + what);
        } else {
            check(JCudaDriver.cuMemcpyDtoH(host, DevicePointer.at(device), bytes), "cuMemcpyDtoH" + what);
        }
    }

    /**
     * Whether JCuda can copy the buffer's memory as it is: direct and in native order. JCuda's
     * Pointer.to(buffer) takes the direct buffer's start address, whatever its position.
     */
    private static boolean isPlain(FloatBuffer b) {
        return b.isDirect() && b.order() == ByteOrder.nativeOrder();
    }
}
