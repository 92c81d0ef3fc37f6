package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.BucketLayout;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cpu backend's messages (docs/wire-format.md): decode(encode(x)) equals in-place quantize bit
 * for bit, encode with write-back writes what quantize writes, decodeAdd equals decode plus add,
 * and the bytes do not depend on the vector level or the thread count; every bucket kind (quantized,
 * constant, raw) occurs. Until the codec's shared suite lands, this is the cpu backend's round trip.
 */
class CpuCodecTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    static final int[][] SEGMENT_LENGTHS = {
        {5000},
        {0, 1, 700, 0, 3, 1300, 1, 0},
        {511, 1, 512, 513, 2000},
    };

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            for (int levels : new int[] {2, 3, 4, 16, 17, 255, 256}) {
                if (type == QuantizerType.EXPONENTIAL && levels < 4) {
                    continue;
                }
                for (int bucket : new int[] {1, 3, 512, 1000, 4096}) {
                    for (BucketLayout layout : BucketLayout.values()) {
                        int[] lengths = SEGMENT_LENGTHS[(levels + bucket + layout.ordinal()) % SEGMENT_LENGTHS.length];
                        all.add(Arguments.of(type, levels, bucket, layout, lengths));
                    }
                }
            }
        }
        return all.stream();
    }

    /** Gradient-like values with special buckets: NaN, Inf, constant, mixed +-0, huge values, -0 among others. */
    static float[] input(int n, long seed) {
        float[] x = TestData.gradientLike(n, seed);
        put(x, 40, new float[] {Float.NaN});
        put(x, 900, new float[] {Float.POSITIVE_INFINITY, -1f});
        Arrays.fill(x, 1500, Math.min(n, 2100), 0.375f); // constant over a bucket of 512 or fewer
        for (int i = 2200; i < Math.min(n, 2800); i++) {
            x[i] = i % 3 == 0 ? -0.0f : 0.0f; // +-0: unchanged, not one bit pattern
        }
        for (int i = 3000; i < Math.min(n, 3600); i++) {
            x[i] = (i % 2 == 0 ? 3.0e38f : -3.1e38f) * (1 + (i % 7) * 0.01f); // rotations and norms overflow
        }
        for (int i = 3700; i < Math.min(n, 4300); i += 7) {
            x[i] = -0.0f; // smart and exponential keep, or map, the sign of zero as in-place quantize does
        }
        return x;
    }

    private static void put(float[] x, int at, float[] values) {
        if (at + values.length <= x.length) {
            System.arraycopy(values, 0, x, at, values.length);
        }
    }

    @ParameterizedTest(name = "{0} levels={1} bucket={2} {3}")
    @MethodSource("cases")
    void decodeOfEncodeEqualsQuantizeAtEveryVectorLevel(QuantizerType type, int levels, int bucket, BucketLayout layout,
            int[] lengths) {
        QuantizerSpec spec = QuantizerSpec.builder(type).levels(levels).bucketSize(bucket).layout(layout).seed(11)
                .smartFraction(0.05).build();
        float[] x = input(IntStream.of(lengths).sum(), levels * 31L + bucket);
        byte[] first = null;
        for (int level : BackendEqualsAtLevels.levels()) {
            CpuBackend.setVectorLevel(level);
            byte[] message = assertRoundTrip(spec, 7, x, lengths, "vector level " + level);
            if (first == null) {
                first = message;
            } else {
                assertArrayEquals(first, message, "message bytes at vector level " + level);
            }
        }
    }

    /**
     * Encodes {@code x}, checks decode, decodeAdd and write-back against in-place quantize, and
     * returns the message.
     */
    static byte[] assertRoundTrip(QuantizerSpec spec, long step, float[] x, int[] lengths, String context) {
        Segments quantized = TestData.directSegments(x, lengths);
        QuantStats want = CPU.quantize(spec, step, quantized);
        float[] expected = TestData.flatten(quantized);

        Segments source = TestData.directSegments(x, lengths);
        int most = (int) NativeCpu.maxEncodedBytes(SpecBlock.of(spec), longs(lengths));
        ByteBuffer out = ByteBuffer.allocateDirect(most + 16);
        out.position(3); // any position
        Encoded encoded = CPU.encode(spec, step, source, out, false);
        assertEquals(3 + encoded.bytes(), out.position(), context);
        assertArrayEquals(bits(x), bits(TestData.flatten(source)),
                "encode without write-back leaves the input, " + context);
        assertEquals(want, encoded.stats(), context);
        ByteBuffer message = out.duplicate().position(3).limit(out.position()).slice();

        Segments decoded = TestData.directSegments(new float[x.length], lengths);
        CPU.decode(message, decoded);
        assertArrayEquals(bits(expected), bits(TestData.flatten(decoded)),
                "decode(encode(x)) == quantize(x), " + context);

        Segments written = TestData.directSegments(x, lengths);
        ByteBuffer again = ByteBuffer.allocate(most);
        Encoded second = CPU.encode(spec, step, written, again, true);
        assertArrayEquals(bits(expected), bits(TestData.flatten(written)),
                "encode with write-back writes what quantize writes, " + context);
        assertEquals(encoded.bytes(), second.bytes(), context);
        assertEquals(message, again.flip(), "a heap output holds the same message, " + context);

        float[] base = TestData.gradientLike(x.length, 5);
        float weight = 0.3f;
        Segments sum = TestData.directSegments(base, lengths);
        CPU.decodeAdd(message, sum, weight);
        float[] got = TestData.flatten(sum);
        for (int i = 0; i < x.length; i++) {
            float want1 = base[i] + weight * expected[i];
            assertEquals(Float.floatToRawIntBits(want1), Float.floatToRawIntBits(got[i]), "decodeAdd element " + i + ", " + context);
        }
        byte[] bytes = new byte[message.remaining()];
        message.duplicate().get(bytes);
        return bytes;
    }

    /** Every bucket kind turns up in the inputs above (so the round trips cover them). */
    @Test
    void inputsHoldEveryBucketKind() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(512).build();
        byte[] m = assertRoundTrip(spec, 0, input(5000, 1), new int[] {5000}, "kinds");
        int buckets = 10;
        int table = 80 + 8;
        int[] kinds = new int[3];
        for (int b = 0; b < buckets; b++) {
            kinds[m[table + 9 * b]]++;
        }
        assertTrue(kinds[0] > 0 && kinds[1] > 0 && kinds[2] > 0, Arrays.toString(kinds));
    }

    @Test
    void threadCountsGiveTheSameMessage() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.EXPONENTIAL).bucketSize(500)
                .exponentialNorm(ExponentialNorm.MAX).build();
        float[] x = input(300_001, 4);
        byte[] one = null;
        for (int threads : new int[] {1, 2, 3}) {
            try (CpuBackend cpu = new CpuBackend(threads)) {
                ByteBuffer out = ByteBuffer.allocate((int) NativeCpu.maxEncodedBytes(SpecBlock.of(spec), new long[] {x.length}));
                cpu.encode(spec, 9, Segments.of(Segments.directCopy(x)), out, false);
                byte[] m = Arrays.copyOf(out.array(), out.position());
                if (one == null) {
                    one = m;
                } else {
                    assertArrayEquals(one, m, "threads " + threads);
                }
            }
        }
    }

    /**
     * Sizes at 16 levels and bucket 512 with every bucket quantized: the formulas of
     * docs/wire-format.md ("Size"), exactly.
     */
    @Test
    void messageSizesFollowTheFormulas() {
        int n = 1 << 20;
        float[] x = TestData.gradientLike(n, 3);
        long fixed = 80 + 8 + 4;
        long buckets = n / 512;
        long[] expected = {
            fixed + 4L * n, // none
            fixed + buckets * (9 + 256), // standard: 9-byte record, 512 codes of 4 bits
            fixed + buckets * (3 + 4 * 16 + 256), // smart
            fixed + buckets * (9 + 256), // hadamard
            fixed + buckets * (11 + 256), // exponential
        };
        for (QuantizerType type : QuantizerType.values()) {
            QuantizerSpec spec = QuantizerSpec.builder(type).build();
            ByteBuffer out = ByteBuffer.allocateDirect((int) NativeCpu.maxEncodedBytes(SpecBlock.of(spec), new long[] {n}));
            Encoded e = CPU.encode(spec, 1, Segments.of(Segments.directCopy(x)), out, false);
            long want = expected[SpecBlock.quantizerId(type)];
            long aligned = (want - 4 + 7) / 8 * 8 + 4; // padding before the (empty) raw area
            assertEquals(type == QuantizerType.NONE ? want : aligned, e.bytes(), type.cliName());
        }
    }

    @Test
    void smallOutputIsRefusedBeforeWriting() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).build();
        Segments s = Segments.of(Segments.directCopy(TestData.gradientLike(1000, 1)));
        ByteBuffer out = ByteBuffer.allocate(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CPU.encode(spec, 0, s, out, false));
        assertTrue(e.getMessage().contains("may take up to"), e.getMessage());
        assertEquals(0, out.position());
    }

    @Test
    void closedBackendRefusesCalls() {
        CpuBackend cpu = new CpuBackend(2);
        Segments s = Segments.of(Segments.directCopy(new float[10]));
        cpu.quantize(QuantizerSpec.builder(QuantizerType.STANDARD).build(), 0, s);
        cpu.close();
        cpu.close();
        assertThrows(IllegalStateException.class, () -> cpu.quantize(QuantizerSpec.builder(QuantizerType.STANDARD).build(), 0, s));
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static long[] longs(int[] v) {
        return IntStream.of(v).asLongStream().toArray();
    }

    /** The vector levels of this processor (BackendEquivalenceTest's, reachable from this package). */
    static final class BackendEqualsAtLevels {
        static int[] levels() {
            int best = CpuBackend.setVectorLevel(Integer.MAX_VALUE);
            return IntStream.rangeClosed(0, best).toArray();
        }
    }

    /** Decoder errors raised by the native decoder itself (the Java-side checksum made to match). */
    @Test
    void nativeDecoderRefusesBadCodesAndFields() {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).levels(5).bucketSize(64).build();
        float[] x = TestData.gradientLike(640, 2);
        byte[] m = message(spec, x);
        Segments dest = Segments.of(Segments.directCopy(new float[640]));
        float[] before = TestData.flatten(dest);

        byte[] badCode = m.clone();
        int codes = align8(80 + 8 + 10 * 9);
        badCode[codes] = (byte) 0x07; // code 7 > levels - 1 = 4 (3 bits per code)
        assertRefused("codes", badCode, dest, before);

        byte[] badKind = m.clone();
        badKind[80 + 8] = 5;
        assertRefused("record", badKind, dest, before);

        byte[] badGrid = m.clone();
        ByteBuffer.wrap(badGrid).order(ByteOrder.LITTLE_ENDIAN).putFloat(80 + 8 + 1, Float.NaN);
        assertRefused("record", badGrid, dest, before);

        byte[] badLength = Arrays.copyOf(m, m.length + 8);
        assertRefused("message length", badLength, dest, before);

        byte[] badSegments = m.clone();
        ByteBuffer.wrap(badSegments).order(ByteOrder.LITTLE_ENDIAN).putInt(72, 1 << 30);
        assertRefused("segment count", badSegments, dest, before);

        byte[] badRaw = m.clone();
        ByteBuffer.wrap(badRaw).order(ByteOrder.LITTLE_ENDIAN).putLong(48, 64);
        assertRefused("message length", badRaw, dest, before);

        assertRefused("segment lengths", m, Segments.of(Segments.directCopy(new float[639])), null);
    }

    private static byte[] message(QuantizerSpec spec, float[] x) {
        ByteBuffer out = ByteBuffer.allocate((int) NativeCpu.maxEncodedBytes(SpecBlock.of(spec), new long[] {x.length}));
        CPU.encode(spec, 0, Segments.of(Segments.directCopy(x)), out, false);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static void assertRefused(String field, byte[] message, Segments dest, float[] before) {
        byte[] m = withChecksum(message);
        MessageException e = assertThrows(MessageException.class, () -> CPU.decode(ByteBuffer.wrap(m), dest));
        assertEquals(field, e.field(), e.getMessage());
        if (before != null) {
            assertArrayEquals(bits(before), bits(TestData.flatten(dest)),
                    "nothing written: " + e.getMessage());
        }
    }

    private static byte[] withChecksum(byte[] m) {
        byte[] c = m.clone();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(c, 0, c.length - 4);
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(c.length - 4, (int) crc.getValue());
        return c;
    }

    private static int align8(int v) {
        return (v + 7) / 8 * 8;
    }
}
