package io.gradquant.data;

import java.util.SplittableRandom;

/**
 * The reference harness's training augmentation: pad the image with {@code padding} zero pixels on
 * every side, take a random crop of the original size, and flip it left-right with probability 1/2
 * (torchvision's {@code RandomCrop(size, padding)} then {@code RandomHorizontalFlip()}).
 */
public final class CropFlip {
    private final int padding;

    /** @param padding zero pixels added on each side before cropping, >= 0 (4 in the reference) */
    public CropFlip(int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding " + padding + " is not allowed: it must be >= 0");
        }
        this.padding = padding;
    }

    /** Pixels of zero padding on each side before the random crop. */
    public int padding() {
        return padding;
    }

    /**
     * Writes the augmented raw pixels (0 to 255, padding 0) of image {@code index} of {@code set} into
     * {@code out} (channel-first, {@code set.imageBytes()} values), with offsets and flip drawn from
     * {@code random}.
     */
    public void apply(ImageSet set, int index, SplittableRandom random, int[] out) {
        int h = set.height();
        int w = set.width();
        // Offset of the crop inside the padded image, 0..2*padding; the source pixel of output (y, x)
        // is (y + dy - padding, x + dx - padding) and is zero padding when outside the image.
        int dy = random.nextInt(2 * padding + 1);
        int dx = random.nextInt(2 * padding + 1);
        boolean flip = random.nextBoolean();
        for (int c = 0; c < set.channels(); c++) {
            for (int y = 0; y < h; y++) {
                int sy = y + dy - padding;
                for (int x = 0; x < w; x++) {
                    int sx = (flip ? w - 1 - x : x) + dx - padding;
                    boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    out[(c * h + y) * w + x] = inside ? set.pixel(index, (c * h + sy) * w + sx) : 0;
                }
            }
        }
    }
}
