package io.gradquant.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Raw images and labels as stored on disk: {@code count} images of {@code channels x height x width}
 * unsigned bytes, channel-first, back to back, and one label in {@code [0, classes)} per image.
 * Kept as bytes (a quarter of the float size); {@link ImageDataset} converts per sample.
 */
public final class ImageSet {
    private final byte[] pixels;
    private final byte[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    /**
     * @throws IllegalArgumentException if the arrays do not match the shape or a label is out of range
     */
    public ImageSet(byte[] pixels, byte[] labels, int channels, int height, int width, int classes) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException("channels, height, width and classes must be >= 1, got "
                    + channels + ", " + height + ", " + width + ", " + classes);
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(labels.length + " labels need " + expected + " pixel bytes, got "
                    + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (Byte.toUnsignedInt(labels[i]) >= classes) {
                throw new IllegalArgumentException("label " + Byte.toUnsignedInt(labels[i]) + " of image " + i
                        + " is out of range [0, " + classes + ")");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Channels per image (1 for grey, 3 for RGB). */
    public int channels() {
        return channels;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Number of classes; every label is below it. */
    public int classes() {
        return classes;
    }

    /** Bytes per image: channels x height x width. */
    public int imageBytes() {
        return channels * height * width;
    }

    /** Label of image {@code i}. */
    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    /** Feeds the shape, the classes, every pixel and every label to {@code digest}: equal sets feed equal bytes. */
    public void digest(MessageDigest digest) {
        digest.update(ByteBuffer.allocate(5 * Integer.BYTES).putInt(labels.length).putInt(channels).putInt(height)
                .putInt(width).putInt(classes).flip());
        digest.update(pixels);
        digest.update(labels);
    }

    /** Pixel value (0 to 255) of image {@code i} at flat channel-first position {@code p}. */
    public int pixel(int i, int p) {
        return Byte.toUnsignedInt(pixels[i * imageBytes() + p]);
    }
}
