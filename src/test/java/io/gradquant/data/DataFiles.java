package io.gradquant.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small data set files in the real formats, with deterministic contents, for tests. */
final class DataFiles {
    private DataFiles() {
    }

    /** Pixel value of image i at flat position p, as the generated files hold it. */
    static int pixel(int i, int p) {
        return (i * 31 + p * 7) & 0xff;
    }

    /** Label of image i in the generated files. */
    static int label(int i) {
        return (i * 3) % 10;
    }

    /** An IDX3 image file: {@code magic}, count, rows, cols, then pixel(i, p) for each image. */
    static byte[] idxImages(int magic, int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                out.writeByte(pixel(i, p));
            }
        }
        return bytes.toByteArray();
    }

    /** An IDX1 label file: {@code magic}, count, then label(i). */
    static byte[] idxLabels(int magic, int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            out.writeByte(label(i));
        }
        return bytes.toByteArray();
    }

    static void writeGzip(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }

    /** The four Fashion-MNIST files, gzip-compressed, with {@code train} and {@code test} images. */
    static void fashionMnist(Path dir, int train, int test) throws IOException {
        writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), idxImages(2051, train, 28, 28));
        writeGzip(dir.resolve("train-labels-idx1-ubyte.gz"), idxLabels(2049, train));
        writeGzip(dir.resolve("t10k-images-idx3-ubyte.gz"), idxImages(2051, test, 28, 28));
        writeGzip(dir.resolve("t10k-labels-idx1-ubyte.gz"), idxLabels(2049, test));
    }

    /** A CIFAR-10 binary file of {@code count} records; image i of the file is global image first + i. */
    static byte[] cifarRecords(int first, int count) {
        byte[] bytes = new byte[count * Cifar10.RECORD_BYTES];
        for (int r = 0; r < count; r++) {
            bytes[r * Cifar10.RECORD_BYTES] = (byte) label(first + r);
            for (int p = 0; p < Cifar10.RECORD_BYTES - 1; p++) {
                bytes[r * Cifar10.RECORD_BYTES + 1 + p] = (byte) pixel(first + r, p);
            }
        }
        return bytes;
    }

    /** The six CIFAR-10 files, {@code perBatch} records in each training batch, {@code test} in the test batch. */
    static void cifar10(Path dir, int perBatch, int test) throws IOException {
        for (int b = 0; b < 5; b++) {
            Files.write(dir.resolve("data_batch_" + (b + 1) + ".bin"), cifarRecords(b * perBatch, perBatch));
        }
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(0, test));
    }
}
