package io.gradquant.harness;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small, learnable data set in the real Fashion-MNIST file format (gzip IDX): class k is
 * noise plus a bright band on rows 2k to 2k+3, so a small model learns it in a few steps.
 */
public final class LearnableFashionMnist {
    private LearnableFashionMnist() {
    }

    /** Writes {@code train} training and {@code test} test images into {@code dir}; returns {@code dir}. */
    public static Path write(Path dir, int train, int test) throws IOException {
        writeSplit(dir, "train", train, 3);
        writeSplit(dir, "t10k", test, 4);
        return dir;
    }

    private static void writeSplit(Path dir, String prefix, int images, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] labels = new byte[images];
        byte[] pixels = new byte[images * 28 * 28];
        for (int i = 0; i < images; i++) {
            int label = i % 10;
            labels[i] = (byte) label;
            for (int p = 0; p < 28 * 28; p++) {
                int row = p / 28;
                boolean band = row >= 2 * label && row < 2 * label + 4;
                pixels[i * 28 * 28 + p] = (byte) (random.nextInt(100) + (band ? 150 : 0));
            }
        }
        try (DataOutputStream out = gzip(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            out.writeInt(2051);
            out.writeInt(images);
            out.writeInt(28);
            out.writeInt(28);
            out.write(pixels);
        }
        try (DataOutputStream out = gzip(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            out.writeInt(2049);
            out.writeInt(images);
            out.write(labels);
        }
    }

    private static DataOutputStream gzip(Path file) throws IOException {
        return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
    }
}
