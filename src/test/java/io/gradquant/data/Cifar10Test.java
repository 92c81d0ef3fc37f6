package io.gradquant.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {
    @TempDir
    Path dir;

    @Test
    void loadsTheFiveTrainingBatchesInOrderAndTheTestBatch() throws IOException {
        DataFiles.cifar10(dir, 3, 4);
        ImageSet train = Cifar10.train(dir);
        assertEquals(15, train.size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        for (int i = 0; i < 15; i++) {
            assertEquals(DataFiles.label(i), train.label(i));
            for (int p = 0; p < 3072; p += 97) {
                assertEquals(DataFiles.pixel(i, p), train.pixel(i, p));
            }
        }
        ImageSet test = Cifar10.test(dir);
        assertEquals(4, test.size());
        assertEquals(DataFiles.pixel(3, 3071), test.pixel(3, 3071));
    }

    @Test
    void rejectsShortRecord() throws IOException {
        DataFiles.cifar10(dir, 2, 2);
        byte[] records = DataFiles.cifarRecords(0, 2);
        Files.write(dir.resolve("data_batch_3.bin"), Arrays.copyOf(records, records.length - 5));
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> Cifar10.train(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("data_batch_3.bin") + ": size 6141 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("short or damaged record"), e.getMessage());
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        assertThrows(CorruptDataException.class, () -> Cifar10.test(dir));
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        DataFiles.cifar10(dir, 2, 2);
        byte[] records = DataFiles.cifarRecords(0, 2);
        records[Cifar10.RECORD_BYTES] = (byte) 200;
        Files.write(dir.resolve("test_batch.bin"), records);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> Cifar10.test(dir));
        assertEquals(dir.resolve("test_batch.bin") + ": label 200 of record 1 is out of range [0, 10)", e.getMessage());
    }

    @Test
    void missingBatchNamesTheFile() throws IOException {
        DataFiles.cifar10(dir, 1, 1);
        Files.delete(dir.resolve("data_batch_5.bin"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Cifar10.train(dir));
        assertTrue(e.getMessage().endsWith("data_batch_5.bin"), e.getMessage());
    }
}
