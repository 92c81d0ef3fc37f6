package io.gradquant.benchmarks;

import io.gradquant.Segments;
import io.gradquant.bench.SlotRing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The benchmarks' inputs: the same ring of gradient-like slots as {@code gradquant bench}
 * ({@link SlotRing}), pristine data plus a work copy per slot. A benchmark advances to the next slot
 * before each invocation and restores the one it used after it, both outside the timing, so every
 * timed call starts on data that has left the caches, as a gradient fresh from backward has.
 */
final class Ring {
    private final FloatBuffer[] pristine;
    private final FloatBuffer[] work;
    private final Segments[] segments;
    private int slot = -1;

    Ring(int elements, long seed) {
        int slots = SlotRing.slotsFor(elements);
        pristine = SlotRing.pristine(slots, elements, seed);
        work = new FloatBuffer[slots];
        segments = new Segments[slots];
        for (int i = 0; i < slots; i++) {
            work[i] = ByteBuffer.allocateDirect(elements * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            copy(pristine[i], work[i]);
            segments[i] = Segments.of(work[i]);
        }
    }

    /** Moves to the next slot. */
    void advance() {
        slot = (slot + 1) % work.length;
    }

    /** The current slot's work buffer as segments. */
    Segments segments() {
        return segments[slot];
    }

    /** The current slot's pristine data. */
    FloatBuffer pristine() {
        return pristine[slot];
    }

    /** The current slot's work buffer. */
    FloatBuffer work() {
        return work[slot];
    }

    /** Puts the pristine data back into the current slot's work buffer. */
    void restore() {
        copy(pristine[slot], work[slot]);
    }

    /** One-thread bulk copy (memcpy); positions of the originals untouched. */
    static void copy(FloatBuffer src, FloatBuffer dst) {
        dst.duplicate().clear().put(src.duplicate().clear());
    }
}
