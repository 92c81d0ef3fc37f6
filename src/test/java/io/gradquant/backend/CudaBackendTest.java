package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.CudaTesting;
import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.reference.JavaBackend;
import java.util.concurrent.atomic.AtomicReference;
import jcuda.Pointer;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device-memory entry point (what the DJL integration hands over: raw device addresses), the
 * context on threads that never used CUDA, freeing, validation and the statistics.
 */
@Tag("cuda")
class CudaBackendTest {
    static final int[] LENGTHS = {700, 0, 1, 1300};

    @Test
    void quantizesDeviceMemoryInPlace() {
        CudaBackend cuda = CudaTesting.backend();
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.HADAMARD).bucketSize(512).seed(3).build();
        float[] x = TestData.gradientLike(2001, 8);
        Segments expected = TestData.directSegments(x, LENGTHS);
        QuantStats want = new JavaBackend().quantize(spec, 4, expected);

        CudaDevice device = CudaProbe.verdict().device();
        device.makeCurrent();
        DeviceMemory[] memory = new DeviceMemory[LENGTHS.length];
        long[] addresses = new long[LENGTHS.length];
        long[] lengths = new long[LENGTHS.length];
        int at = 0;
        try {
            for (int s = 0; s < LENGTHS.length; s++) {
                lengths[s] = LENGTHS[s];
                if (LENGTHS[s] == 0) {
                    continue; // an empty tensor may come with any address, 0 included
                }
                memory[s] = DeviceMemory.allocate(4L * LENGTHS[s]);
                addresses[s] = memory[s].address();
                float[] part = java.util.Arrays.copyOfRange(x, at, at + LENGTHS[s]);
                check(JCudaDriver.cuMemcpyHtoD(DevicePointer.at(addresses[s]), Pointer.to(part), 4L * part.length), "HtoD");
                at += LENGTHS[s];
            }
            QuantStats got = cuda.quantizeDevice(spec, 4, addresses, lengths);
            float[] out = new float[x.length];
            at = 0;
            for (int s = 0; s < LENGTHS.length; s++) {
                if (LENGTHS[s] > 0) {
                    float[] part = new float[LENGTHS[s]];
                    check(JCudaDriver.cuMemcpyDtoH(Pointer.to(part), DevicePointer.at(addresses[s]), 4L * part.length), "DtoH");
                    System.arraycopy(part, 0, out, at, part.length);
                    at += part.length;
                }
            }
            assertArrayEquals(bits(TestData.flatten(expected)), bits(out));
            assertEquals(want.variance(), got.variance(), 1e-12 * want.variance());
            assertEquals(want.buckets(), got.buckets());
        } finally {
            for (DeviceMemory m : memory) {
                if (m != null) {
                    m.close();
                }
            }
        }
    }

    @Test
    void deviceAddressesAreValidatedBeforeAnythingRuns() {
        CudaBackend cuda = CudaTesting.backend();
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).build();
        String m = assertThrows(IllegalArgumentException.class,
                () -> cuda.quantizeDevice(spec, 0, new long[] {4096, 0}, new long[] {10, 5})).getMessage();
        assertTrue(m.contains("segment 1") && m.contains("non-null"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> cuda.quantizeDevice(spec, 0, new long[] {4098}, new long[] {10})).getMessage();
        assertTrue(m.contains("aligned"), m);
        m = assertThrows(IllegalArgumentException.class, () -> cuda.quantizeDevice(spec, 0, new long[1], new long[2]))
                .getMessage();
        assertTrue(m.contains("1 addresses but 2 lengths"), m);
        assertEquals(new QuantStats(0, 0, 0, 0), cuda.quantizeDevice(spec, 0, new long[] {0}, new long[] {0}));
        m = assertThrows(IllegalArgumentException.class, () -> cuda.withOnChipLimit(0)).getMessage();
        assertTrue(m.contains("[1, 11264]"), m);
    }

    /** A thread that never touched CUDA gets the primary context made current by the call itself. */
    @Test
    void worksFromAFreshThread() throws Exception {
        CudaBackend cuda = CudaTesting.backend();
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.SMART).bucketSize(300).build();
        float[] x = TestData.gradientLike(1000, 1);
        float[] want = TestData.quantize(new JavaBackend(), spec, 1, x).output();
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(TestData.quantize(cuda, spec, 1, x).output());
            } catch (Throwable e) {
                result.set(e);
            }
        });
        t.start();
        t.join();
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("the call failed on a fresh thread", e);
        }
        assertArrayEquals(bits(want), bits((float[]) result.get()));
    }

    /** Calls from several threads at once: each has its own allocation; results stay exact. */
    @Test
    void concurrentCallsFromSeveralThreads() throws Exception {
        CudaBackend cuda = CudaTesting.backend();
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(128).build();
        float[][] inputs = new float[3][];
        float[][] wanted = new float[3][];
        for (int t = 0; t < 3; t++) {
            inputs[t] = TestData.gradientLike(600 + 100 * t, 30 + t);
            wanted[t] = TestData.quantize(new JavaBackend(), spec, t, inputs[t]).output();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[3];
        for (int t = 0; t < 3; t++) {
            int k = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int call = 0; call < 4; call++) {
                        assertArrayEquals(bits(wanted[k]), bits(TestData.quantize(cuda, spec, k, inputs[k]).output()));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a concurrent call failed", failure.get());
        }
    }

    /** Every call frees what it allocated: the driver's free memory is the same after 60 calls. */
    @Test
    void nothingLeaksOverManyCalls() {
        CudaBackend cuda = CudaTesting.backend();
        float[] x = TestData.gradientLike(2000, 2);
        // first launches may make the driver reserve memory of its own (stack for local arrays)
        manyCalls(cuda, x, QuantizerType.values().length * 2);
        CudaProbe.verdict().device().makeCurrent();
        long before = freeMemory();
        manyCalls(cuda, x, 60);
        CudaProbe.verdict().device().makeCurrent();
        assertEquals(before, freeMemory(), "device memory in use changed over 60 calls");
    }

    private static void manyCalls(CudaBackend cuda, float[] x, int calls) {
        for (int call = 0; call < calls; call++) {
            QuantizerType type = QuantizerType.values()[call % QuantizerType.values().length];
            QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(call % 2 == 0 ? 256 : 1024).build();
            cuda.quantize(spec, call, Segments.of(Segments.directCopy(x)));
        }
    }

    private static long freeMemory() {
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }
}
