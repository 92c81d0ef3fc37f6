package io.gradquant.cli;

import io.gradquant.QuantStats;
import io.gradquant.Segments;
import java.util.Arrays;

/**
 * Accumulates what {@code quantize} reports over K repeats of quantizing the same input x.
 * The input is walked in consecutive buckets of the spec's bucket size, the same buckets the
 * quantizer used; buckets holding NaN or Inf are skipped, because the quantizer leaves them
 * unchanged and leaves them out of its statistics, so every ratio here is over the same buckets.
 */
final class RepeatMetrics {
    private final Segments input;
    private final int bucketSize;
    /** Length of the scratch arrays: a bucket, or the whole input if that is shorter. */
    private final int scratch;
    private final double inputNormSquared;
    /** Sum of the outputs, only when there is more than one repeat (else the single output is the mean). */
    private final double[] outputSum;

    private int repeats;
    private double variance;
    private double normalizedVariance;
    private double relativeMse;
    private double errorSquaredOfLast;
    private double seconds;
    private int maxLevels;
    private long nonFiniteBuckets;

    /**
     * @param input      the unquantized values, at most {@link io.gradquant.io.Npy#MAX_ELEMENTS}; must not
     *                   change while this is in use
     * @param bucketSize the spec's bucket size
     * @param repeats    how many outputs will be added
     */
    RepeatMetrics(Segments input, int bucketSize, int repeats) {
        this.input = input;
        this.bucketSize = bucketSize;
        long n = input.totalLength();
        this.scratch = (int) Math.max(1, Math.min(bucketSize, n));
        this.outputSum = repeats > 1 ? new double[Math.toIntExact(n)] : null;
        double norm = 0;
        float[] x = new float[scratch];
        for (long start = 0; start < n; start += bucketSize) {
            int len = (int) Math.min(bucketSize, n - start);
            input.read(start, x, len);
            if (allFinite(x, len)) {
                for (int i = 0; i < len; i++) {
                    norm += (double) x[i] * x[i];
                }
            }
        }
        this.inputNormSquared = norm;
    }

    /** Heap that more than one repeat needs for an input of {@code n} values: the sum of the outputs. */
    static long heapBytes(long n) {
        return n * Double.BYTES;
    }

    /** Adds one repeat: its output, the quantizer's statistics and the wall time of the call. */
    void add(Segments output, QuantStats stats, double callSeconds) {
        repeats++;
        variance += stats.variance();
        normalizedVariance += stats.normalizedVariance();
        seconds += callSeconds;
        nonFiniteBuckets = Math.max(nonFiniteBuckets, stats.nonFiniteBuckets());
        long n = input.totalLength();
        float[] x = new float[scratch];
        float[] q = new float[scratch];
        double errorSquared = 0;
        for (long start = 0; start < n; start += bucketSize) {
            int len = (int) Math.min(bucketSize, n - start);
            input.read(start, x, len);
            if (!allFinite(x, len)) {
                continue;
            }
            output.read(start, q, len);
            for (int i = 0; i < len; i++) {
                double d = (double) q[i] - x[i];
                errorSquared += d * d;
                if (outputSum != null) {
                    outputSum[(int) (start + i)] += q[i];
                }
            }
            maxLevels = Math.max(maxLevels, distinct(q, len));
        }
        relativeMse += ratio(errorSquared, inputNormSquared);
        errorSquaredOfLast = errorSquared;
    }

    int repeats() {
        return repeats;
    }

    /** Mean over repeats of the quantizer's variance. */
    double variance() {
        return variance / repeats;
    }

    /** Mean over repeats of variance / ||x||^2. */
    double normalizedVariance() {
        return normalizedVariance / repeats;
    }

    /** Mean over repeats of ||Q(x) - x||^2 / ||x||^2. */
    double relativeMse() {
        return relativeMse / repeats;
    }

    /** ||mean of the outputs - x|| / ||x||; near 0 for an unbiased quantizer and many repeats. */
    double relativeBias() {
        if (outputSum == null) {
            return Math.sqrt(ratio(errorSquaredOfLast, inputNormSquared));
        }
        long n = input.totalLength();
        float[] x = new float[scratch];
        double biasSquared = 0;
        for (long start = 0; start < n; start += bucketSize) {
            int len = (int) Math.min(bucketSize, n - start);
            input.read(start, x, len);
            if (!allFinite(x, len)) {
                continue;
            }
            for (int i = 0; i < len; i++) {
                double d = outputSum[(int) (start + i)] / repeats - x[i];
                biasSquared += d * d;
            }
        }
        return Math.sqrt(ratio(biasSquared, inputNormSquared));
    }

    /** Mean wall seconds of one quantize call. */
    double seconds() {
        return seconds / repeats;
    }

    /** Most distinct values seen in one quantized bucket of one output. */
    int maxLevelsPerBucket() {
        return maxLevels;
    }

    /** Buckets the quantizer left unchanged because of NaN or Inf. */
    long nonFiniteBuckets() {
        return nonFiniteBuckets;
    }

    /** Distinct values among q[0..len), counting -0.0 and 0.0 as one (they are the same level). */
    private static int distinct(float[] q, int len) {
        float[] sorted = Arrays.copyOf(q, len);
        for (int i = 0; i < len; i++) {
            sorted[i] += 0.0f; // turns -0.0 into 0.0 and leaves every other value alone
        }
        Arrays.sort(sorted);
        int count = len == 0 ? 0 : 1;
        for (int i = 1; i < len; i++) {
            if (sorted[i] != sorted[i - 1]) {
                count++;
            }
        }
        return count;
    }

    private static boolean allFinite(float[] x, int len) {
        for (int i = 0; i < len; i++) {
            if (!Float.isFinite(x[i])) {
                return false;
            }
        }
        return true;
    }

    private static double ratio(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
