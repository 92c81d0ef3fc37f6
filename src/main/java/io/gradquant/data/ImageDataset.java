package io.gradquant.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A DJL data set over an {@link ImageSet}: each record is a normalised float32 image of shape
 * (channels, height, width) and a float32 scalar label, as DJL's built-in image data sets give.
 *
 * <p>With an augmentation, the random crop and flip of image i depend only on (seed, i, how many
 * times image i was read before), so the augmented stream repeats exactly for the same seed and
 * sampling order, whatever threads DJL uses to prefetch batches.
 */
public final class ImageDataset extends RandomAccessDataset {
    private final ImageSet images;
    private final Normalization normalization;
    private final CropFlip augmentation;
    private final long seed;
    private final AtomicIntegerArray reads;

    private ImageDataset(Builder builder) {
        super(builder);
        this.images = builder.images;
        this.normalization = builder.normalization;
        this.augmentation = builder.augmentation;
        this.seed = builder.seed;
        this.reads = augmentation == null ? null : new AtomicIntegerArray(images.size());
        if (normalization.channels() != images.channels()) {
            throw new IllegalArgumentException("normalisation has " + normalization.channels() + " channels, the images "
                    + images.channels());
        }
    }

    /** A builder over {@code images}; set sampling (batch size, shuffle) and normalisation on it. */
    public static Builder builder(ImageSet images) {
        return new Builder(images);
    }

    /** The underlying images. */
    public ImageSet images() {
        return images;
    }

    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        int[] raw = new int[images.imageBytes()];
        if (augmentation == null) {
            for (int p = 0; p < raw.length; p++) {
                raw[p] = images.pixel(i, p);
            }
        } else {
            augmentation.apply(images, i, randomFor(i), raw);
        }
        int plane = images.height() * images.width();
        float[] values = new float[raw.length];
        for (int p = 0; p < raw.length; p++) {
            values[p] = normalization.apply(p / plane, raw[p]);
        }
        Shape shape = new Shape(images.channels(), images.height(), images.width());
        NDList data = new NDList(manager.create(FloatBuffer.wrap(values), shape));
        NDList label = new NDList(manager.create((float) images.label(i)));
        return new Record(data, label);
    }

    /** The random stream of the next read of image {@code i}. */
    private SplittableRandom randomFor(int i) {
        long read = reads.getAndIncrement(i);
        // Distinct odd multipliers spread (seed, image, read) over the 64-bit seed space;
        // SplittableRandom mixes its seed, so neighbouring keys give unrelated streams.
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i * 0xC2B2AE3D27D4EB4FL + read * 0x165667B19E3779F9L);
    }

    @Override
    protected long availableSize() {
        return images.size();
    }

    @Override
    public void prepare(Progress progress) {
        // The images are already in memory.
    }

    /** Builder for {@link ImageDataset}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private final ImageSet images;
        private Normalization normalization;
        private CropFlip augmentation;
        private long seed = 1;

        private Builder(ImageSet images) {
            this.images = images;
        }

        /** Required: how pixels are normalised. */
        public Builder normalization(Normalization value) {
            normalization = value;
            return this;
        }

        /** Optional training augmentation; none by default. */
        public Builder augmentation(CropFlip value) {
            augmentation = value;
            return this;
        }

        /** Seed of the augmentation's random streams; 1 by default. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @throws IllegalArgumentException if no sampling or normalisation was set, or channels differ */
        public ImageDataset build() {
            if (normalization == null) {
                throw new IllegalArgumentException("normalization is required");
            }
            if (sampler == null) {
                throw new IllegalArgumentException("sampling is required: call setSampling(batchSize, shuffle)");
            }
            return new ImageDataset(this);
        }
    }
}
