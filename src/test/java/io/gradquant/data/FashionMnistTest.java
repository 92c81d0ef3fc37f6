package io.gradquant.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void loadsGzipIdxFiles() throws IOException {
        DataFiles.fashionMnist(dir, 7, 3);
        ImageSet train = FashionMnist.train(dir);
        assertEquals(7, train.size());
        assertEquals(1, train.channels());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(10, train.classes());
        for (int i = 0; i < 7; i++) {
            assertEquals(DataFiles.label(i), train.label(i));
            for (int p = 0; p < 28 * 28; p++) {
                assertEquals(DataFiles.pixel(i, p), train.pixel(i, p));
            }
        }
        assertEquals(3, FashionMnist.test(dir).size());
    }

    @Test
    void acceptsUncompressedFiles() throws IOException {
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), DataFiles.idxImages(2051, 2, 28, 28));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), DataFiles.idxLabels(2049, 2));
        ImageSet test = FashionMnist.test(dir);
        assertEquals(2, test.size());
        assertEquals(DataFiles.pixel(1, 100), test.pixel(1, 100));
    }

    @Test
    void rejectsBadMagic() throws IOException {
        DataFiles.fashionMnist(dir, 2, 2);
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), DataFiles.idxImages(2049, 2, 28, 28));
        assertCorrupt("train-images-idx3-ubyte.gz", "bad magic number 2049");
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), DataFiles.idxImages(2051, 2, 28, 28));
        DataFiles.writeGzip(dir.resolve("train-labels-idx1-ubyte.gz"), DataFiles.idxLabels(2051, 2));
        assertCorrupt("train-labels-idx1-ubyte.gz", "bad magic number 2051");
    }

    @Test
    void rejectsShortAndLongData() throws IOException {
        DataFiles.fashionMnist(dir, 2, 2);
        byte[] images = DataFiles.idxImages(2051, 2, 28, 28);
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(images, images.length - 1));
        assertCorrupt("train-images-idx3-ubyte.gz", "ends after 1567 bytes");
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(images, images.length + 1));
        assertCorrupt("train-images-idx3-ubyte.gz", "extra bytes");
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(images, 10));
        assertCorrupt("train-images-idx3-ubyte.gz", "header ends before the row count");
    }

    @Test
    void rejectsTruncatedGzip() throws IOException {
        DataFiles.fashionMnist(dir, 2, 2);
        Path file = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(gz, gz.length / 2));
        assertCorrupt("train-images-idx3-ubyte.gz", "damaged or truncated gzip data");
    }

    @Test
    void rejectsWrongCountsAndShapes() throws IOException {
        DataFiles.fashionMnist(dir, 2, 2);
        DataFiles.writeGzip(dir.resolve("train-labels-idx1-ubyte.gz"), DataFiles.idxLabels(2049, 3));
        assertCorrupt("train-labels-idx1-ubyte.gz", "3 labels for the 2 images");
        DataFiles.writeGzip(dir.resolve("train-labels-idx1-ubyte.gz"), DataFiles.idxLabels(2049, 2));
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), DataFiles.idxImages(2051, 2, 32, 28));
        assertCorrupt("train-images-idx3-ubyte.gz", "images are 32x28");
        DataFiles.writeGzip(dir.resolve("train-images-idx3-ubyte.gz"), DataFiles.idxImages(2051, 0, 28, 28));
        assertCorrupt("train-images-idx3-ubyte.gz", "image count 0");
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        DataFiles.fashionMnist(dir, 2, 2);
        byte[] labels = DataFiles.idxLabels(2049, 2);
        labels[labels.length - 1] = 10;
        DataFiles.writeGzip(dir.resolve("train-labels-idx1-ubyte.gz"), labels);
        assertCorrupt("train-labels-idx1-ubyte.gz", "label 10 of image 1 is out of range [0, 10)");
    }

    private void assertCorrupt(String file, String expected) {
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(file) + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
