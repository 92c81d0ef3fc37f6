package io.gradquant.backend;

import static io.gradquant.backend.CudaCheck.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.BucketLayout;
import io.gradquant.CudaTesting;
import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageException;
import io.gradquant.codec.WireFormat;
import io.gradquant.reference.JavaBackend;
import java.nio.ByteBuffer;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The address forms of encode, decode and decodeAdd on device memory (what data-parallel training
 * on a GPU hands over: only the message crosses to the host), heap message buffers, the global
 * memory paths, and the workspace: reused across calls, freed by close().
 * The shared contract on host buffers is io.gradquant.codec.CudaRoundTripTest.
 */
@Tag("cuda")
class CudaCodecTest {
    static final int[] LENGTHS = {700, 0, 1, 1299};

    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void deviceMemoryRoundTripsThroughAHostMessage(QuantizerType type) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(256).levels(8).seed(9)
                .layout(BucketLayout.PER_SEGMENT).build();
        float[] x = TestData.gradientLike(2000, 12);
        x[800] = Float.NaN; // a RAW bucket, its values copied from device memory to the message
        Segments expected = TestData.directSegments(x, LENGTHS);
        QuantStats wantStats = new JavaBackend().quantize(spec, 5, expected);
        ByteBuffer want = message(new JavaBackend(), spec, x, LENGTHS);

        try (CudaBackend cuda = CudaTesting.backend(); RawSegments memory = RawSegments.device(LENGTHS)) {
            memory.write(x);
            ByteBuffer out = ByteBuffer.allocate((int) WireFormat.maxEncodedBytes(spec, memory.lengths) + 3).position(3);
            Encoded e = cuda.encodeAddresses(spec, 5, memory.addresses, memory.lengths, out, false);
            assertEquals(3 + e.bytes(), out.position());
            assertEquals(want, out.flip().position(3).slice(), "the message differs from the java backend's");
            assertArrayEquals(bits(x), bits(memory.read()), "encode without write-back changed the device memory");
            assertEquals(wantStats.variance(), e.stats().variance(), 1e-12 * wantStats.variance());
            assertEquals(wantStats.nonFiniteBuckets(), e.stats().nonFiniteBuckets());

            cuda.encodeAddresses(spec, 5, memory.addresses, memory.lengths,
                    ByteBuffer.allocateDirect((int) WireFormat.maxEncodedBytes(spec, memory.lengths)), true);
            float[] q = TestData.flatten(expected);
            assertArrayEquals(bits(q), bits(memory.read()), "write-back differs from in-place quantize");

            memory.write(new float[x.length]);
            cuda.decodeAddresses(want, memory.addresses, memory.lengths);
            assertArrayEquals(bits(q), bits(memory.read()), "decode differs from in-place quantize");
            assertEquals(0, want.position());

            float[] base = TestData.gradientLike(x.length, 3);
            memory.write(base);
            cuda.decodeAddAddresses(want, memory.addresses, memory.lengths, -0.5f);
            float[] sum = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                sum[i] = base[i] + -0.5f * q[i];
            }
            assertArrayEquals(bits(sum), bits(memory.read()), "decodeAdd differs from decode plus add");
        }
    }

    /** Buckets past the on-chip limit: hadamard decodes its rotation in global scratch. */
    @ParameterizedTest
    @EnumSource(value = QuantizerType.class, names = {"STANDARD", "HADAMARD", "SMART", "EXPONENTIAL"})
    void globalMemoryPathsEncodeAndDecodeAsJava(QuantizerType type) {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(1500).levels(5).seed(2).build();
        float[] x = TestData.gradientLike(4000, 6);
        try (CudaBackend cuda = CudaTesting.backend().withOnChipLimit(64)) {
            ByteBuffer got = message(cuda, spec, x, x.length);
            assertEquals(message(new JavaBackend(), spec, x, x.length), got);
            float[] q = TestData.quantize(new JavaBackend(), spec, 5, x).output();
            Segments d = Segments.of(Segments.directCopy(new float[x.length]));
            cuda.decode(got, d);
            assertArrayEquals(bits(q), bits(TestData.flatten(d)));
        }
    }

    /** A code out of range is found on the device and refused, naming the field, before any write. */
    @Test
    void aCodeOutOfRangeIsRefusedBeforeAnyWrite() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(100).levels(5).seed(2).build();
        float[] x = TestData.gradientLike(1000, 6);
        try (CudaBackend cuda = CudaTesting.backend(); RawSegments memory = RawSegments.device(1000)) {
            ByteBuffer m = message(cuda, spec, x, x.length);
            long codes = WireFormat.align(WireFormat.align(80 + 8) + 10 * 9L);
            int at = (int) (codes + 7 * 38 + 2); // bucket 7's third byte: codes 5 and 6 of 3 bits
            m.put(at, (byte) 0xff); // code 7 > levels - 1 = 4
            ByteBuffer bad = fixChecksum(m);
            float[] before = TestData.gradientLike(1000, 1);
            memory.write(before);
            MessageException e = assertThrows(MessageException.class,
                    () -> cuda.decodeAddAddresses(bad, memory.addresses, memory.lengths, 1.0f));
            assertEquals("code", e.field(), e.getMessage());
            assertTrue(e.getMessage().contains("bucket 7"), e.getMessage());
            assertArrayEquals(bits(before), bits(memory.read()));
        }
    }

    /**
     * The workspace is reused: many calls (encode, decode, in-place quantize) hold one allocation;
     * close() frees it and later calls are refused.
     */
    @Test
    void theWorkspaceIsReusedAndFreedOnClose() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.HADAMARD).bucketSize(512).build();
        float[] x = TestData.gradientLike(3000, 4);
        CudaBackend cuda = CudaTesting.backend();
        long before = freeMemory();
        ByteBuffer m = message(cuda, spec, x, x.length);
        cuda.decode(m, Segments.of(Segments.directCopy(x)));
        long held = before - freeMemory();
        assertTrue(held > 0, "the first calls allocate the workspace");
        for (int call = 0; call < 20; call++) {
            message(cuda, spec, x, x.length);
            cuda.decode(m, Segments.of(Segments.directCopy(x)));
            cuda.quantize(spec, call, Segments.of(Segments.directCopy(x)));
        }
        assertEquals(before - held, freeMemory(), "later calls of the same size allocate nothing more");
        cuda.close();
        cuda.close();
        assertEquals(before, freeMemory(), "close() frees the workspace");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> message(cuda, spec, x, x.length));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        IllegalStateException q = assertThrows(IllegalStateException.class,
                () -> cuda.quantize(spec, 0, Segments.of(Segments.directCopy(x))));
        assertTrue(q.getMessage().contains("closed"), q.getMessage());
    }

    private static ByteBuffer message(Backend backend, QuantizerSpec spec, float[] x, int... lengths) {
        Segments s = TestData.directSegments(x, lengths);
        ByteBuffer out = ByteBuffer.allocateDirect((int) WireFormat.maxEncodedBytes(spec, s.lengths()));
        backend.encode(spec, 5, s, out, false);
        return out.flip();
    }

    private static ByteBuffer fixChecksum(ByteBuffer m) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(m.duplicate().limit(m.limit() - 4));
        m.order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(m.limit() - 4, (int) crc.getValue());
        return m;
    }

    private static long freeMemory() {
        CudaProbe.verdict().device().makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }

    static int[] bits(float[] v) {
        return CudaBackendTest.bits(v);
    }
}
