package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Copies bytes between device memory and a host ByteBuffer, at absolute indices of the buffer
 * (its position and limit are not used or changed). A direct buffer is copied straight from its
 * memory (JCuda takes a direct buffer's start address, so a slice starting at the index is
 * passed); a heap or read-only buffer goes through a byte[] of at most {@link #CHUNK} bytes.
 */
final class HostBytes {
    static final int CHUNK = 1 << 20;

    private HostBytes() {
    }

    /** {@code bytes} bytes at device address {@code device} to {@code out[at ...]}. */
    static void toHost(long device, ByteBuffer out, long at, long bytes, String what) {
        if (bytes == 0) {
            return;
        }
        if (out.isDirect()) {
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(slice(out, at, bytes)), DevicePointer.at(device), bytes),
                    "cuMemcpyDtoH(" + what + ", " + bytes + " bytes)");
            return;
        }
        byte[] chunk = new byte[(int) Math.min(bytes, CHUNK)];
        for (long pos = 0; pos < bytes; pos += chunk.length) {
            int k = (int) Math.min(chunk.length, bytes - pos);
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(chunk), DevicePointer.at(device + pos), k),
                    "cuMemcpyDtoH(" + what + ", " + k + " bytes at " + pos + ")");
            out.put(Math.toIntExact(at + pos), chunk, 0, k);
        }
    }

    /** {@code in[at ...]}, {@code bytes} bytes, to device address {@code device}. */
    static void toDevice(ByteBuffer in, long at, long bytes, long device, String what) {
        if (bytes == 0) {
            return;
        }
        if (in.isDirect()) {
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(device), Pointer.to(slice(in, at, bytes)), bytes),
                    "cuMemcpyHtoD(" + what + ", " + bytes + " bytes)");
            return;
        }
        byte[] chunk = new byte[(int) Math.min(bytes, CHUNK)];
        for (long pos = 0; pos < bytes; pos += chunk.length) {
            int k = (int) Math.min(chunk.length, bytes - pos);
            in.get(Math.toIntExact(at + pos), chunk, 0, k);
            check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(device + pos), Pointer.to(chunk), k),
                    "cuMemcpyHtoD(" + what + ", " + k + " bytes at " + pos + ")");
        }
    }

    /** Writes {@code bytes} zero bytes at {@code out[at ...]}. */
    static void zero(ByteBuffer out, long at, long bytes) {
        for (long i = 0; i < bytes; i++) {
            out.put(Math.toIntExact(at + i), (byte) 0);
        }
    }

    private static ByteBuffer slice(ByteBuffer b, long at, long bytes) {
        return b.duplicate().clear().position(Math.toIntExact(at)).limit(Math.toIntExact(at + bytes)).slice();
    }
}
