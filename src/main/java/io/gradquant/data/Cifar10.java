package io.gradquant.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the binary version of CIFAR-10: files of records, each 1 label byte and 3072 image bytes
 * (1024 red, 1024 green, 1024 blue, rows of 32), training set in {@code data_batch_1.bin} to
 * {@code data_batch_5.bin}, test set in {@code test_batch.bin}.
 */
public final class Cifar10 {
    /** Image side in pixels. */
    public static final int SIDE = 32;
    /** Colour channels. */
    public static final int CHANNELS = 3;
    /** Number of classes. */
    public static final int CLASSES = 10;
    /** Bytes per record: label byte plus the image. */
    public static final int RECORD_BYTES = 1 + CHANNELS * SIDE * SIDE;
    /** The training files, in order. */
    public static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";

    private Cifar10() {
    }

    /** The training set (50,000 images in the real data), the five batches in order. */
    public static ImageSet train(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            files.add(dir.resolve(name));
        }
        return load(files);
    }

    /** The test set (10,000 images in the real data). */
    public static ImageSet test(Path dir) throws IOException {
        return load(List.of(dir.resolve(TEST_FILE)));
    }

    private static ImageSet load(List<Path> files) throws IOException {
        List<byte[]> contents = new ArrayList<>();
        long records = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
                throw new CorruptDataException(file, "size " + bytes.length + " bytes is not a positive multiple of the"
                        + " record size " + RECORD_BYTES + " (1 label byte + 3072 image bytes): short or damaged record");
            }
            contents.add(bytes);
            records += bytes.length / RECORD_BYTES;
        }
        int imageBytes = RECORD_BYTES - 1;
        byte[] labels = new byte[Math.toIntExact(records)];
        byte[] pixels = new byte[Math.multiplyExact(labels.length, imageBytes)];
        int image = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] bytes = contents.get(f);
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, image++) {
                int label = Byte.toUnsignedInt(bytes[r * RECORD_BYTES]);
                if (label >= CLASSES) {
                    throw new CorruptDataException(files.get(f), "label " + label + " of record " + r
                            + " is out of range [0, " + CLASSES + ")");
                }
                labels[image] = (byte) label;
                System.arraycopy(bytes, r * RECORD_BYTES + 1, pixels, image * imageBytes, imageBytes);
            }
        }
        return new ImageSet(pixels, labels, CHANNELS, SIDE, SIDE, CLASSES);
    }
}
