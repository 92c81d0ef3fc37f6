package io.gradquant.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST from its four IDX files, {@code {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz}
 * (the uncompressed names without {@code .gz} are accepted too): 28x28 grey images, 10 classes.
 */
public final class FashionMnist {
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** The files a directory must hold, by their compressed names. */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    private FashionMnist() {
    }

    /** The training set (60,000 images in the real data). */
    public static ImageSet train(Path dir) throws IOException {
        return load(dir, "train");
    }

    /** The test set (10,000 images in the real data). */
    public static ImageSet test(Path dir) throws IOException {
        return load(dir, "t10k");
    }

    /** {@code dir/name}, or {@code dir/name} without {@code .gz} if only that exists. */
    static Path file(Path dir, String gzName) {
        Path gz = dir.resolve(gzName);
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - ".gz".length()));
        return !Files.exists(gz) && Files.exists(plain) ? plain : gz;
    }

    private static ImageSet load(Path dir, String prefix) throws IOException {
        Path imageFile = file(dir, prefix + "-images-idx3-ubyte.gz");
        Path labelFile = file(dir, prefix + "-labels-idx1-ubyte.gz");
        Idx.Images images = Idx.readImages(imageFile);
        if (images.rows() != SIDE || images.cols() != SIDE) {
            throw new CorruptDataException(imageFile, "images are " + images.rows() + "x" + images.cols()
                    + ", Fashion-MNIST's are " + SIDE + "x" + SIDE);
        }
        byte[] labels = Idx.readLabels(labelFile);
        if (labels.length != images.count()) {
            throw new CorruptDataException(labelFile, labels.length + " labels for the " + images.count()
                    + " images of " + imageFile.getFileName());
        }
        for (int i = 0; i < labels.length; i++) {
            if (Byte.toUnsignedInt(labels[i]) >= CLASSES) {
                throw new CorruptDataException(labelFile, "label " + Byte.toUnsignedInt(labels[i]) + " of image " + i
                        + " is out of range [0, " + CLASSES + ")");
            }
        }
        return new ImageSet(images.pixels(), labels, 1, SIDE, SIDE, CLASSES);
    }
}
