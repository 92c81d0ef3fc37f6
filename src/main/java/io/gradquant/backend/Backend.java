package io.gradquant.backend;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;

/**
 * One implementation of the quantizers: {@code java} (reference), {@code cpu} (native, JNI) or
 * {@code cuda}. All backends give the same output for the same spec, step and input.
 */
public interface Backend {
    /** The backend's name as used on the command line: java, cpu or cuda. */
    String name();

    /**
     * Quantizes all segments in place, as buckets over their flat concatenation (or per segment,
     * as the spec's layout says), with the random stream keyed by (spec.seed(), step).
     *
     * @return the call's statistics
     * @throws IllegalArgumentException if a segment cannot be used by this backend; thrown before
     *         any value is written
     */
    QuantStats quantize(QuantizerSpec spec, long step, Segments segments);
}
