package io.gradquant.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * How many input slots a benchmark rotates through, and their pristine data. A kernel timed on
 * data it has just touched runs from the cache and looks faster than it will on a real gradient,
 * which arrives cold from backward. So each timed call uses the next slot of a ring, and between
 * two uses of a slot the other slots are quantized and restored, moving at least
 * {@link #WORKING_SET_BYTES} through the caches (several times the last-level cache of the
 * machines we run on).
 */
public final class SlotRing {
    /** The least memory the ring's pristine and work buffers span together: 128 MiB. */
    public static final long WORKING_SET_BYTES = 128L << 20;
    /** At least three slots, so that a slot is never reused by the next call but one. */
    public static final int MIN_SLOTS = 3;
    /**
     * At most this many slots: tiny inputs (as in tests) would otherwise need thousands; they fit
     * in the cache whatever we do.
     */
    public static final int MAX_SLOTS = 256;

    private SlotRing() {
    }

    /** Slots for inputs of {@code elements} float32 values: a pristine and a work buffer each. */
    public static int slotsFor(long elements) {
        long bytesPerSlot = 2L * Float.BYTES * Math.max(1, elements);
        long wanted = (WORKING_SET_BYTES + bytesPerSlot - 1) / bytesPerSlot;
        return (int) Math.max(MIN_SLOTS, Math.min(MAX_SLOTS, wanted));
    }

    /**
     * Pristine inputs for {@code slots} slots of {@code elements} values each, slot i drawn by
     * {@link GradientLikeInput} with seed {@code seed + i}, so slots hold different data.
     */
    public static FloatBuffer[] pristine(int slots, int elements, long seed) {
        FloatBuffer[] buffers = new FloatBuffer[slots];
        for (int i = 0; i < slots; i++) {
            buffers[i] = allocate(elements);
            GradientLikeInput.fill(buffers[i], seed + i);
        }
        return buffers;
    }

    /** A zeroed direct, native-order buffer of {@code elements} float32 values. */
    static FloatBuffer allocate(int elements) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(elements, Float.BYTES)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }
}
