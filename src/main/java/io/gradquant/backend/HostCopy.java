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
 * a float[] of at most {@link #CHUNK} values.
 */
final class HostCopy {
    static final int CHUNK = 1 << 20;

    private HostCopy() {
    }

    /** Segment i to {@code device + 4 * offsets[i]}. */
    static void toDevice(Segments segments, long device, long[] offsets) {
        for (int i = 0; i < segments.count(); i++) {
            FloatBuffer b = segments.segment(i);
            long n = segments.length(i);
            long at = device + Float.BYTES * offsets[i];
            if (n == 0) {
                continue;
            }
            if (isPlain(b)) {
                check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(at), Pointer.to(b), n * Float.BYTES),
                        "cuMemcpyHtoD(segment " + i + ", " + n + " floats)");
                continue;
            }
            float[] chunk = new float[(int) Math.min(n, CHUNK)];
            for (int pos = 0; pos < n; pos += chunk.length) {
                int k = (int) Math.min(chunk.length, n - pos);
                b.get(pos, chunk, 0, k);
                check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(at + (long) Float.BYTES * pos), Pointer.to(chunk),
                        (long) k * Float.BYTES), "cuMemcpyHtoD(segment " + i + ", " + k + " floats at " + pos + ")");
            }
        }
    }

    /** {@code device + 4 * offsets[i]} back to segment i. */
    static void toHost(long device, long[] offsets, Segments segments) {
        for (int i = 0; i < segments.count(); i++) {
            FloatBuffer b = segments.segment(i);
            long n = segments.length(i);
            long at = device + Float.BYTES * offsets[i];
            if (n == 0) {
                continue;
            }
            if (isPlain(b)) {
                check(JCudaDriver.cuMemcpyDtoH(Pointer.to(b), DevicePointer.at(at), n * Float.BYTES),
                        "cuMemcpyDtoH(segment " + i + ", " + n + " floats)");
                continue;
            }
            float[] chunk = new float[(int) Math.min(n, CHUNK)];
            for (int pos = 0; pos < n; pos += chunk.length) {
                int k = (int) Math.min(chunk.length, n - pos);
                check(JCudaDriver.cuMemcpyDtoH(Pointer.to(chunk), DevicePointer.at(at + (long) Float.BYTES * pos),
                        (long) k * Float.BYTES), "cuMemcpyDtoH(segment " + i + ", " + k + " floats at " + pos + ")");
                b.put(pos, chunk, 0, k);
            }
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
