package io.gradquant.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
    /** Three 2-channel 4x5 images; pixel values from DataFiles. */
    private static ImageSet tiny() {
        int n = 3;
        int bytes = 2 * 4 * 5;
        byte[] pixels = new byte[n * bytes];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) DataFiles.label(i);
            for (int p = 0; p < bytes; p++) {
                pixels[i * bytes + p] = (byte) DataFiles.pixel(i, p);
            }
        }
        return new ImageSet(pixels, labels, 2, 4, 5, 10);
    }

    private static final Normalization NORM = new Normalization(new float[] {0.5f, 0.25f}, new float[] {0.5f, 2f});

    @Test
    void recordsAreNormalisedChannelFirstFloatImagesWithScalarLabels() {
        ImageDataset ds = ImageDataset.builder(tiny()).normalization(NORM).setSampling(2, false).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 2);
            assertEquals(new Shape(2, 4, 5), r.getData().head().getShape());
            assertEquals(DataType.FLOAT32, r.getData().head().getDataType());
            float[] values = r.getData().head().toFloatArray();
            for (int p = 0; p < 40; p++) {
                int c = p / 20;
                float expected = (DataFiles.pixel(2, p) / 255f - NORM.mean()[c]) / NORM.std()[c];
                assertEquals(expected, values[p], 0f);
            }
            assertEquals(DataFiles.label(2), r.getLabels().head().getFloat(), 0f);
        }
    }

    @Test
    void batchesThroughDjl() throws Exception {
        ImageDataset ds = ImageDataset.builder(tiny()).normalization(NORM).setSampling(2, false).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            int batches = 0;
            for (Batch batch : ds.getData(manager)) {
                assertEquals(2, batch.getData().head().getShape().get(1));
                batch.close();
                batches++;
            }
            assertEquals(2, batches);
        }
    }

    @Test
    void cropFlipWithoutPaddingIsIdentityOrMirror() {
        ImageSet set = tiny();
        int[] out = new int[set.imageBytes()];
        boolean sawFlip = false;
        boolean sawPlain = false;
        for (long seed = 0; seed < 20; seed++) {
            new CropFlip(0).apply(set, 1, new SplittableRandom(seed), out);
            boolean flipped = out[0] != set.pixel(1, 0);
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++) {
                        int sx = flipped ? 4 - x : x;
                        assertEquals(set.pixel(1, (c * 4 + y) * 5 + sx), out[(c * 4 + y) * 5 + x]);
                    }
                }
            }
            sawFlip |= flipped;
            sawPlain |= !flipped;
        }
        assertTrue(sawFlip && sawPlain);
    }

    @Test
    void cropShiftsAndPadsWithZeros() {
        ImageSet set = tiny();
        int[] out = new int[set.imageBytes()];
        for (long seed = 0; seed < 50; seed++) {
            new CropFlip(2).apply(set, 0, new SplittableRandom(seed), out);
            // Recover the draw the same way CropFlip makes it.
            SplittableRandom r = new SplittableRandom(seed);
            int dy = r.nextInt(5);
            int dx = r.nextInt(5);
            boolean flip = r.nextBoolean();
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++) {
                        int sy = y + dy - 2;
                        int sx = (flip ? 4 - x : x) + dx - 2;
                        int expected = sy < 0 || sy >= 4 || sx < 0 || sx >= 5 ? 0 : set.pixel(0, (c * 4 + sy) * 5 + sx);
                        assertEquals(expected, out[(c * 4 + y) * 5 + x]);
                    }
                }
            }
        }
    }

    @Test
    void augmentationRepeatsForTheSameSeedAndChangesBetweenReads() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[][] first = reads(manager, 7);
            float[][] again = reads(manager, 7);
            float[][] other = reads(manager, 8);
            for (int k = 0; k < first.length; k++) {
                assertArrayEquals(first[k], again[k]);
            }
            boolean readsDiffer = false;
            boolean seedsDiffer = false;
            for (int k = 1; k < first.length; k++) {
                readsDiffer |= !Arrays.equals(first[0], first[k]);
                seedsDiffer |= !Arrays.equals(first[k], other[k]);
            }
            assertTrue(readsDiffer);
            assertTrue(seedsDiffer);
        }
    }

    /** Ten successive reads of image 0 ("epochs") from a fresh augmented data set with {@code seed}. */
    private static float[][] reads(NDManager manager, long seed) {
        ImageDataset ds = ImageDataset.builder(tiny()).normalization(NORM).augmentation(new CropFlip(2)).seed(seed)
                .setSampling(1, true).build();
        float[][] out = new float[10][];
        for (int k = 0; k < out.length; k++) {
            out[k] = ds.get(manager, 0).getData().head().toFloatArray();
        }
        return out;
    }

    @Test
    void rejectsMismatchedChannelsAndMissingSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.builder(tiny()).normalization(Normalization.CIFAR10).setSampling(1, false).build());
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.builder(tiny()).setSampling(1, false).build());
        assertThrows(IllegalArgumentException.class, () -> ImageDataset.builder(tiny()).normalization(NORM).build());
    }
}
