package io.gradquant.bench;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Benchmark input that looks like a flattened gradient rather than like noise of one scale: blocks
 * of {@link #BLOCK} values (think of small tensors, or rows of a large one) each get their own
 * scale, log-uniform over three decades, the values are normal around zero, and one value in a
 * thousand is an outlier ten to a hundred times larger. Per-block scales make neighbouring buckets
 * differ as they do in a real model; outliers stretch bucket ranges, which is what makes
 * quantizers differ in accuracy and is the case they are built for. Zeros alone would flatter
 * every kernel (constant buckets are skipped), and a single normal would make every bucket alike.
 */
public final class GradientLikeInput {
    /** Values sharing one scale. */
    public static final int BLOCK = 4096;
    /** Probability that a value is an outlier. */
    public static final double OUTLIER_PROBABILITY = 1e-3;

    private GradientLikeInput() {
    }

    /**
     * Fills {@code buffer} from index 0 to its limit with values drawn from a stream seeded by
     * {@code seed}; the same seed gives the same values. The buffer's position is not changed.
     */
    public static void fill(FloatBuffer buffer, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] block = new float[BLOCK];
        for (int start = 0; start < buffer.limit(); start += BLOCK) {
            int n = Math.min(BLOCK, buffer.limit() - start);
            double scale = Math.pow(10.0, -4.0 + 3.0 * random.nextDouble());
            for (int i = 0; i < n; i++) {
                double v = random.nextGaussian() * scale;
                if (random.nextDouble() < OUTLIER_PROBABILITY) {
                    v *= 10.0 + 90.0 * random.nextDouble();
                }
                block[i] = (float) v;
            }
            buffer.put(start, block, 0, n);
        }
    }
}
