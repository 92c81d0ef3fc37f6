package io.gradquant.data;

/**
 * Per-channel normalisation of pixels scaled to [0, 1]: {@code (x / 255 - mean[c]) / std[c]}.
 *
 * @param mean per-channel mean
 * @param std  per-channel standard deviation, all positive
 */
public record Normalization(float[] mean, float[] std) {
    /** CIFAR-10, as in the reference harness. */
    public static final Normalization CIFAR10 =
            new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f});
    /** Fashion-MNIST: mean and standard deviation of the training set's pixels. */
    public static final Normalization FASHION_MNIST = new Normalization(new float[] {0.2860f}, new float[] {0.3530f});

    /** @throws IllegalArgumentException if the arrays differ in length or a std is not positive */
    public Normalization {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need the same, non-zero length: " + mean.length + " and "
                    + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std " + s + " is not allowed: it must be > 0");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** A copy of the per-channel means. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviations. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** Number of channels. */
    public int channels() {
        return mean.length;
    }

    /** The normalised value of raw pixel {@code value} (0 to 255) in channel {@code c}. */
    public float apply(int c, int value) {
        return (value / 255f - mean[c]) / std[c];
    }
}
