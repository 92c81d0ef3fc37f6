package io.gradquant.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A flat float32 array of any length held as direct, native-order buffers of at most
 * {@link #MAX_CHUNK} values each, because one direct buffer cannot exceed 2^31-1 bytes. Quantizing
 * the chunks as spanning segments buckets them exactly like one flat array.
 */
final class FloatChunks {
    /** Values per chunk: 1 GiB, well under the 2^31-1 byte limit of one buffer. */
    static final int MAX_CHUNK = 1 << 28;

    private FloatChunks() {
    }

    /** Zero-filled chunks holding {@code n} values in total. */
    static FloatBuffer[] allocate(long n) {
        int count = (int) Math.max(1, (n + MAX_CHUNK - 1) / MAX_CHUNK);
        FloatBuffer[] chunks = new FloatBuffer[count];
        for (int i = 0; i < count; i++) {
            int len = (int) Math.min(MAX_CHUNK, n - (long) i * MAX_CHUNK);
            chunks[i] = ByteBuffer.allocateDirect(len * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        return chunks;
    }

    /** Chunks of the same lengths as {@code like}, holding a copy of its values. */
    static FloatBuffer[] copyOf(FloatBuffer[] like) {
        FloatBuffer[] copy = new FloatBuffer[like.length];
        for (int i = 0; i < like.length; i++) {
            copy[i] = ByteBuffer.allocateDirect(like[i].limit() * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        copyInto(like, copy);
        return copy;
    }

    /** Copies every chunk of {@code from} into the chunk of {@code to} with the same index and length. */
    static void copyInto(FloatBuffer[] from, FloatBuffer[] to) {
        for (int i = 0; i < from.length; i++) {
            // duplicates: bulk put moves positions, and the originals' positions must stay at 0
            to[i].duplicate().clear().put(from[i].duplicate().clear());
        }
    }
}
