package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.codec.MessageException;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the shared round-trip contract (io.gradquant.codec.CpuRoundTripTest) does not reach: the
 * native decoder's own checks, called directly so that the Java reader cannot catch the fault
 * first (defence in depth: the native side never reads outside the bytes it is given and writes
 * nothing unless the whole message checks out), thread counts, and the pool's life cycle.
 */
class CpuCodecTest {
    private static long pool;

    @BeforeAll
    static void startPool() {
        String error = NativeCpu.load();
        if (error != null) {
            throw new IllegalStateException(error);
        }
        pool = NativeCpu.createPool(2);
    }

    @AfterAll
    static void stopPool() {
        NativeCpu.destroyPool(pool);
    }

    @Test
    void threadCountsGiveTheSameMessage() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.EXPONENTIAL).bucketSize(500)
                .exponentialNorm(ExponentialNorm.MAX).build();
        float[] x = TestData.gradientLike(300_001, 4);
        x[1234] = Float.NaN; // a RAW bucket, placed after the parallel pass
        byte[] first = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (CpuBackend cpu = new CpuBackend(threads)) {
                byte[] m = message(cpu, spec, x);
                if (first == null) {
                    first = m;
                } else {
                    assertArrayEquals(first, m, "threads " + threads);
                }
            }
        }
    }

    /** Each fault below is one the native decoder must find by itself. */
    @Test
    void nativeDecoderRefusesWhatTheJavaReaderWouldHaveCaught() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).levels(5).bucketSize(64).build();
        float[] x = TestData.gradientLike(640, 2);
        byte[] m;
        try (CpuBackend cpu = new CpuBackend(2)) {
            m = message(cpu, spec, x);
        }
        int table = WireFormat.HEADER_BYTES + 8;
        int codes = (int) WireFormat.align(table + 10 * 9);
        assertRefused("code", m, b -> b.put(codes, (byte) 0x07)); // code 7 > levels - 1 = 4 (3 bits a code)
        assertRefused("kind", m, b -> b.put(table, (byte) 5));
        assertRefused("lo", m, b -> b.putFloat(table + 1, Float.NaN));
        assertRefused("hi", m, b -> b.putFloat(table + 5, -1e30f));
        assertRefused("magic", m, b -> b.put(0, (byte) 'X'));
        assertRefused("format version", m, b -> b.putShort(4, (short) 2));
        assertRefused("quantizer id", m, b -> b.put(6, (byte) 9));
        assertRefused("levels", m, b -> b.putShort(8, (short) 300));
        assertRefused("code bits", m, b -> b.put(10, (byte) 4));
        assertRefused("bucket size", m, b -> b.putInt(12, 0));
        assertRefused("element count", m, b -> b.putLong(16, 641));
        assertRefused("bucket count", m, b -> b.putLong(40, 11));
        assertRefused("message length", m, b -> b.putLong(48, 64)); // 64 raw values more than the bytes hold
        assertRefused("raw value count", m, b -> b.putLong(48, -1));
        assertRefused("message length", m, b -> b.putLong(56, 12345));
        assertRefused("segment count", m, b -> b.putInt(72, 1 << 30));
        assertRefused("reserved", m, b -> b.putInt(76, 1));
        assertRefused("message length", Arrays.copyOf(m, 83), b -> { });
        assertRefused("message length", Arrays.copyOf(m, m.length + 8), b -> { });
        // a RAW record whose values the raw area does not hold
        assertRefused("raw value count", m, b -> {
            b.put(table, (byte) 2);
        });
        float[] before = new float[639];
        MessageException e = assertThrows(MessageException.class, () -> decode(m, before));
        assertEquals("segment lengths", e.field(), e.getMessage());
    }

    private static void assertRefused(String field, byte[] message, Consumer<ByteBuffer> damage) {
        byte[] bad = message.clone();
        damage.accept(ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN));
        float[] destination = new float[640];
        Arrays.fill(destination, 2.5f);
        MessageException e = assertThrows(MessageException.class, () -> decode(bad, destination), field);
        assertEquals(field, e.field(), e.getMessage());
        for (float v : destination) {
            assertEquals(2.5f, v, "nothing written before refusing: " + e.getMessage());
        }
    }

    /** Decodes straight through JNI, as if the Java reader had been bypassed; heap message, direct destination. */
    private static void decode(byte[] message, float[] destination) {
        Segments s = Segments.of(Segments.directCopy(destination));
        try {
            NativeCpu.decode(pool, message, 0, message.length, new long[] {NativeCpu.address(s.segment(0))},
                    new long[] {destination.length}, false, 1.0f);
        } finally {
            s.read(0, destination, destination.length);
        }
    }

    private static byte[] message(CpuBackend cpu, QuantizerSpec spec, float[] x) {
        ByteBuffer out = ByteBuffer.allocate((int) WireFormat.maxEncodedBytes(spec, new long[] {x.length}));
        cpu.encode(spec, 9, Segments.of(Segments.directCopy(x)), out, false);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void closedBackendRefusesCallsAndClosesOnce() {
        CpuBackend cpu = new CpuBackend(2);
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).build();
        Segments s = Segments.of(Segments.directCopy(new float[10]));
        cpu.quantize(spec, 0, s);
        cpu.close();
        cpu.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpu.quantize(spec, 0, s));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
