package io.gradquant.distributed;

import io.gradquant.Segments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Error-feedback memory (GRACE's "memory"): a per-rank residual e, one buffer per quantized
 * segment, zero at the start. Each step the rank compresses s = g + e instead of g, and keeps
 * e = s - Q(s), what compression lost, for the next step. In float32: s = fl(g + e) and
 * e = fl(s - Q(s)), exactly.
 *
 * <p>The communicator calls {@link #compensate} before it encodes (g becomes s) and
 * {@link #update} after encoding with write-back (g holds Q(s) then, where it was encoded, and s
 * where it was not, which leaves e = 0 there).
 */
final class ErrorFeedback {
    private final Segments residual;

    /** A zero residual for gradients of these lengths. */
    ErrorFeedback(long[] lengths) {
        List<FloatBuffer> buffers = new ArrayList<>();
        for (long n : lengths) {
            buffers.add(ByteBuffer.allocateDirect(Math.toIntExact(Math.multiplyExact(n, Float.BYTES)))
                    .order(ByteOrder.nativeOrder()).asFloatBuffer());
        }
        residual = Segments.of(buffers);
    }

    /** g = s = g + e; e holds s too until {@link #update}. */
    void compensate(Segments g) {
        FloatOps.add(residual, g);
        FloatOps.copy(g, residual);
    }

    /** e = s - g, where g now holds what the message carries. */
    void update(Segments g) {
        FloatOps.subtract(residual, g);
    }

    /** The residual, segment by segment (live views: they change at the next step). */
    Segments residual() {
        return residual;
    }
}
