package io.gradquant.cli;

import io.gradquant.io.Npy;
import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A synthetic input: {@code n} values drawn from a distribution, deterministic for a given seed.
 * The command line writes it as {@code DIST:N}, for example {@code normal:20000}.
 *
 * @param distribution what to draw from
 * @param n            number of values, 1 to {@link Npy#MAX_ELEMENTS}: a synthetic input holds no more than
 *                     an {@code --input} file may, so that {@code --output} can always write its result
 */
record Synthetic(Distribution distribution, int n) {
    /** The distributions offered; all centred on 0. */
    enum Distribution {
        /** Standard normal, by the Box-Muller transform. */
        NORMAL,
        /** Laplace with scale 1 (variance 2), by the inverse CDF. */
        LAPLACE,
        /** Uniform on [-1, 1), on the grid of multiples of 2^-23. */
        UNIFORM;

        String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int FILL_CHUNK = 1 << 16;

    /**
     * Parses {@code DIST:N}.
     *
     * @throws IllegalArgumentException naming the part that is wrong and what is allowed
     */
    static Synthetic parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("synthetic input '" + text + "' is not DIST:N, e.g. normal:20000");
        }
        String dist = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String count = text.substring(colon + 1).trim();
        Distribution d = null;
        for (Distribution candidate : Distribution.values()) {
            if (candidate.cliName().equals(dist)) {
                d = candidate;
            }
        }
        if (d == null) {
            throw new IllegalArgumentException("unknown distribution '" + dist + "' in '" + text
                    + "': allowed are normal, laplace, uniform");
        }
        long n;
        try {
            n = Long.parseLong(count);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("element count '" + count + "' in '" + text
                    + "' is not a whole number: it must be an integer >= 1");
        }
        if (n < 1 || n > Npy.MAX_ELEMENTS) {
            throw new IllegalArgumentException("element count " + n + " in '" + text + "' is not allowed: it must be"
                    + " in [1, " + Npy.MAX_ELEMENTS + "] (2^29 - 1, the most float32 values a .npy file here may hold)");
        }
        return new Synthetic(d, (int) n);
    }

    /** Fills {@code out} (index 0 to its limit) with the first values of the stream seeded by {@code seed}. */
    void fill(FloatBuffer out, long seed) {
        Source source = new Source(distribution, new SplittableRandom(seed));
        float[] values = new float[FILL_CHUNK];
        for (int i = 0; i < out.limit(); i += FILL_CHUNK) {
            int len = Math.min(FILL_CHUNK, out.limit() - i);
            for (int j = 0; j < len; j++) {
                values[j] = source.next();
            }
            out.put(i, values, 0, len);
        }
    }

    @Override
    public String toString() {
        return distribution.cliName() + ":" + n;
    }

    /**
     * One stream of values. StrictMath, not Math: Math's log/cos may differ by an ulp between the
     * interpreter, JIT intrinsics and JVMs, which would make the "same seed, same input" promise false.
     */
    private static final class Source {
        private final Distribution distribution;
        private final SplittableRandom random;
        private double spare = Double.NaN; // second Box-Muller value, if one is waiting

        Source(Distribution distribution, SplittableRandom random) {
            this.distribution = distribution;
            this.random = random;
        }

        float next() {
            switch (distribution) {
                case NORMAL:
                    return (float) normal();
                case LAPLACE:
                    double p = openUnit();
                    return (float) (p < 0.5 ? StrictMath.log(2 * p) : -StrictMath.log(2 * (1 - p)));
                default:
                    // an exact multiple of 2^-23 in [-1, 1): a double rounded to float could hit 1.0f
                    return (random.nextInt(1 << 24) - (1 << 23)) * 0x1p-23f;
            }
        }

        private double normal() {
            if (!Double.isNaN(spare)) {
                double z = spare;
                spare = Double.NaN;
                return z;
            }
            double r = StrictMath.sqrt(-2 * StrictMath.log(openUnit()));
            double angle = 2 * Math.PI * random.nextDouble();
            spare = r * StrictMath.sin(angle);
            return r * StrictMath.cos(angle);
        }

        /** Uniform on the open interval (0, 1), so that log never sees 0. */
        private double openUnit() {
            return ((random.nextLong() >>> 11) + 0.5) * 0x1p-53;
        }
    }
}
