package io.gradquant.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocatorTest {
    @TempDir
    Path root;

    @Test
    void explicitDirectoryWins() throws IOException {
        Path given = Files.createDirectory(root.resolve("given"));
        DataFiles.fashionMnist(given, 1, 1);
        Path env = Files.createDirectories(root.resolve("env/fashion-mnist"));
        DataFiles.fashionMnist(env, 1, 1);
        DataLocator.Location found = new DataLocator(root.resolve("env").toString(), false)
                .locate(DatasetKind.FASHION_MNIST, given);
        assertEquals(given, found.dir());
        assertEquals("the given directory", found.source());
    }

    @Test
    void explicitDirectoryWithoutDataIsAnErrorEvenIfOthersHaveIt() throws IOException {
        Path env = Files.createDirectory(root.resolve("env"));
        DataFiles.fashionMnist(env, 1, 1);
        Path given = Files.createDirectory(root.resolve("given"));
        Files.write(given.resolve("train-images-idx3-ubyte.gz"), new byte[1]);
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> new DataLocator(env.toString(), true).locate(DatasetKind.FASHION_MNIST, given));
        assertTrue(e.getMessage().contains("the given directory " + given + ": missing train-labels-idx1-ubyte.gz,"
                + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void environmentVariableAndItsSubdirectory() throws IOException {
        Path sub = Files.createDirectories(root.resolve("cifar-10-batches-bin"));
        DataFiles.cifar10(sub, 1, 1);
        DataLocator.Location found = new DataLocator(root.toString(), false).locate(DatasetKind.CIFAR10, null);
        assertEquals(sub, found.dir());
        assertEquals("$GRADQUANT_DATA", found.source());
    }

    @Test
    void nothingFoundListsEveryPlaceAndHowToGetTheData() {
        Path missing = root.resolve("nowhere");
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> new DataLocator(missing.toString(), false).locate(DatasetKind.CIFAR10, null));
        assertEquals("cifar10 data not found. Looked in:\n"
                + "  $GRADQUANT_DATA " + missing + ": no such directory\n"
                + "To get it: " + DatasetKind.CIFAR10.howToGet()
                + ". Then pass the directory explicitly or set GRADQUANT_DATA to it.", e.getMessage());
        DataNotFoundException unset = assertThrows(DataNotFoundException.class,
                () -> new DataLocator(null, false).locate(DatasetKind.FASHION_MNIST, null));
        assertTrue(unset.getMessage().contains("\n  $GRADQUANT_DATA: not set\n"), unset.getMessage());
    }

    @Test
    void systemPackageLocationIsListedWhenUsed() {
        // On a machine with the Debian package installed the data is found there; otherwise the
        // message names the place.
        try {
            DataLocator.Location found = new DataLocator(null, true).locate(DatasetKind.FASHION_MNIST, null);
            assertEquals("system package location", found.source());
        } catch (DataNotFoundException e) {
            assertTrue(e.getMessage().contains("system package location /usr/share/datasets/fashion-mnist"),
                    e.getMessage());
        }
    }

    @Test
    void parsesNames() {
        assertEquals(DatasetKind.FASHION_MNIST, DatasetKind.parse("Fashion-MNIST"));
        assertEquals(DatasetKind.CIFAR10, DatasetKind.parse("cifar10"));
        assertThrows(IllegalArgumentException.class, () -> DatasetKind.parse("mnist"));
    }
}
