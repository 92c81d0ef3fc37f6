package io.gradquant.distributed;

import io.gradquant.Segments;
import java.nio.FloatBuffer;

/**
 * Element-wise float32 arithmetic over segments of equal lengths, as the communicators and the
 * error-feedback memory need it; every operation rounds once per element, as the wire format's
 * {@code decodeAdd} does, so results do not depend on where they are computed.
 */
final class FloatOps {
    private static final int ZERO_CHUNK = 16384;
    private static final FloatBuffer ZEROS = FloatBuffer.allocate(ZERO_CHUNK);

    private FloatOps() {
    }

    /** x = 0. */
    static void zero(Segments x) {
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer b = x.segment(s);
            int n = b.limit();
            for (int i = 0; i < n; i += ZERO_CHUNK) {
                b.put(i, ZEROS, 0, Math.min(ZERO_CHUNK, n - i));
            }
        }
    }

    /** x = x * w. */
    static void scale(Segments x, float w) {
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer b = x.segment(s);
            for (int i = 0, n = b.limit(); i < n; i++) {
                b.put(i, b.get(i) * w);
            }
        }
    }

    /** y = y + x. */
    static void add(Segments y, Segments x) {
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer a = y.segment(s);
            FloatBuffer b = x.segment(s);
            for (int i = 0, n = b.limit(); i < n; i++) {
                a.put(i, a.get(i) + b.get(i));
            }
        }
    }

    /** y = y - x. */
    static void subtract(Segments y, Segments x) {
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer a = y.segment(s);
            FloatBuffer b = x.segment(s);
            for (int i = 0, n = b.limit(); i < n; i++) {
                a.put(i, a.get(i) - b.get(i));
            }
        }
    }

    /** y = x. */
    static void copy(Segments y, Segments x) {
        for (int s = 0; s < x.count(); s++) {
            y.segment(s).put(0, x.segment(s), 0, x.segment(s).limit());
        }
    }
}
