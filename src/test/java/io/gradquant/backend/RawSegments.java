package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;

/**
 * Float32 segments in the memory an {@link AddressBackend} works on, given by address, for tests of
 * the address paths: {@link #host} (direct buffers, for the cpu backend) or {@link #device} (device
 * allocations through the driver, for the cuda backend: the CPU stand-in in the cuda test JVM, which
 * refuses copies outside its allocations). Empty segments get address 0. Values are written and
 * read as one concatenated array.
 */
public abstract class RawSegments implements AutoCloseable {
    /** The segment lengths, in floats. */
    public final long[] lengths;
    /** Each segment's address (0 for an empty one). */
    public final long[] addresses;

    private RawSegments(int[] lengths) {
        this.lengths = Arrays.stream(lengths).asLongStream().toArray();
        this.addresses = new long[lengths.length];
    }

    /** Host memory: direct, native-order buffers (their addresses come from the cpu backend's library). */
    public static RawSegments host(int... lengths) {
        String error = NativeCpu.load();
        if (error != null) {
            throw new IllegalStateException(error);
        }
        return new Host(lengths);
    }

    /** Device memory of the probed device (makes its context current on the calling thread). */
    public static RawSegments device(int... lengths) {
        return new Device(lengths);
    }

    /** Overwrites the segments with {@code x}, their concatenation. */
    public abstract void write(float[] x);

    /** The segments' values, concatenated. */
    public abstract float[] read();

    @Override
    public abstract void close();

    private static final class Host extends RawSegments {
        private final FloatBuffer[] buffers;

        Host(int[] lengths) {
            super(lengths);
            buffers = new FloatBuffer[lengths.length];
            for (int s = 0; s < lengths.length; s++) {
                buffers[s] = ByteBuffer.allocateDirect(4 * Math.max(1, lengths[s])).order(ByteOrder.nativeOrder())
                        .asFloatBuffer().limit(lengths[s]);
                addresses[s] = lengths[s] > 0 ? NativeCpu.address(buffers[s]) : 0;
            }
        }

        @Override
        public void write(float[] x) {
            int at = 0;
            for (FloatBuffer b : buffers) {
                b.put(0, x, at, b.limit());
                at += b.limit();
            }
        }

        @Override
        public float[] read() {
            float[] out = new float[(int) Arrays.stream(lengths).sum()];
            int at = 0;
            for (FloatBuffer b : buffers) {
                b.get(0, out, at, b.limit());
                at += b.limit();
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    private static final class Device extends RawSegments {
        private final DeviceMemory[] memory;

        Device(int[] lengths) {
            super(lengths);
            CudaProbe.verdict().device().makeCurrent();
            this.memory = new DeviceMemory[lengths.length];
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] > 0) {
                    memory[s] = DeviceMemory.allocate(4L * lengths[s]);
                    addresses[s] = memory[s].address();
                }
            }
        }

        @Override
        public void write(float[] x) {
            CudaProbe.verdict().device().makeCurrent();
            int at = 0;
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] > 0) {
                    float[] part = Arrays.copyOfRange(x, at, at + (int) lengths[s]);
                    check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(addresses[s]), Pointer.to(part), 4L * part.length),
                            "HtoD");
                    at += part.length;
                }
            }
        }

        @Override
        public float[] read() {
            CudaProbe.verdict().device().makeCurrent();
            float[] out = new float[(int) Arrays.stream(lengths).sum()];
            int at = 0;
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] > 0) {
                    float[] part = new float[(int) lengths[s]];
                    check(JCudaDriver.cuMemcpyDtoH(Pointer.to(part), DevicePointer.at(addresses[s]), 4L * part.length),
                            "DtoH");
                    System.arraycopy(part, 0, out, at, part.length);
                    at += part.length;
                }
            }
            return out;
        }

        @Override
        public void close() {
            CudaProbe.verdict().device().makeCurrent();
            for (DeviceMemory m : memory) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }
}
