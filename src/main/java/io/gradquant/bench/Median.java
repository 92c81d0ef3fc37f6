package io.gradquant.bench;

import java.util.Arrays;

/** Medians of timings: robust to the odd slow repetition that a shared machine produces. */
final class Median {
    private Median() {
    }

    /** The median of {@code values} (mean of the middle two for an even count). */
    static double of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
