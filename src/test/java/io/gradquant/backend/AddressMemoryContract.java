package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.TestData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link AddressBackend}'s memory operations, which the data-parallel exchange uses on gradients
 * given by address: copies to and from one host buffer (segments concatenated, empty ones
 * included), zeroing to +0.0, and the refusals of an unusable host buffer before anything is
 * copied. Subclasses give the backend and its memory.
 */
abstract class AddressMemoryContract {
    static final int[] LENGTHS = {5, 0, 1000, 1};

    abstract AddressBackend backend();

    abstract RawSegments allocate(int... lengths);

    @Test
    void copiesConcatenateTheSegmentsBothWaysAndZeroWritesPositiveZero() {
        float[] x = TestData.gradientLike(1006, 4);
        x[0] = -0.0f;
        try (AddressBackend backend = backend(); RawSegments memory = allocate(LENGTHS)) {
            memory.write(x);
            FloatBuffer host = direct(x.length + 3);
            backend.copyToHost(memory.addresses, memory.lengths, host);
            float[] got = new float[x.length];
            host.get(0, got);
            assertArrayEquals(TestData.bits(x), TestData.bits(got));

            float[] y = TestData.gradientLike(1006, 5);
            host.put(0, y);
            backend.copyFromHost(host, memory.addresses, memory.lengths);
            assertArrayEquals(TestData.bits(y), TestData.bits(memory.read()));

            backend.zeroAddresses(memory.addresses, memory.lengths);
            assertArrayEquals(TestData.bits(new float[x.length]), TestData.bits(memory.read()));
        }
    }

    @Test
    void anUnusableHostBufferIsRefusedBeforeAnyCopy() {
        float[] x = TestData.gradientLike(1006, 6);
        try (AddressBackend backend = backend(); RawSegments memory = allocate(LENGTHS)) {
            memory.write(x);
            FloatBuffer small = direct(1005);
            small.put(0, 7f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> backend.copyToHost(memory.addresses, memory.lengths, small));
            assertTrue(e.getMessage().contains("1005") && e.getMessage().contains("1006"), e.getMessage());
            assertTrue(small.get(0) == 7f, "nothing copied");
            assertThrows(IllegalArgumentException.class,
                    () -> backend.copyFromHost(small, memory.addresses, memory.lengths));
            assertThrows(IllegalArgumentException.class,
                    () -> backend.copyToHost(memory.addresses, memory.lengths, FloatBuffer.allocate(1006)));
            assertThrows(IllegalArgumentException.class,
                    () -> backend.copyToHost(memory.addresses, memory.lengths, direct(1006).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class,
                    () -> backend.zeroAddresses(memory.addresses, new long[] {5, 0, 1000}));
            assertArrayEquals(TestData.bits(x), TestData.bits(memory.read()), "nothing written");
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
