package io.gradquant.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The data sets the harness trains on: which files make one up and where they usually live. */
public enum DatasetKind {
    /** Fashion-MNIST, four IDX files (gzip or not). */
    FASHION_MNIST("fashion-mnist", FashionMnist.FILES, List.of("fashion-mnist"),
            List.of(Path.of("/usr/share/datasets/fashion-mnist")),
            "install the Debian package (apt-get install dataset-fashion-mnist, which puts it in"
                    + " /usr/share/datasets/fashion-mnist), or download " + String.join(", ", FashionMnist.FILES)
                    + " from the Fashion-MNIST repository (zalandoresearch/fashion-mnist on GitHub) into one directory"),
    /** CIFAR-10, binary version. */
    CIFAR10("cifar10", cifarFiles(), List.of("cifar-10-batches-bin", "cifar10"), List.of(),
            "download the binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html and"
                    + " extract it; the files are in cifar-10-batches-bin/");

    private final String cliName;
    private final List<String> files;
    private final List<String> subdirectories;
    private final List<Path> systemDirectories;
    private final String howToGet;

    DatasetKind(String cliName, List<String> files, List<String> subdirectories, List<Path> systemDirectories,
            String howToGet) {
        this.cliName = cliName;
        this.files = files;
        this.subdirectories = subdirectories;
        this.systemDirectories = systemDirectories;
        this.howToGet = howToGet;
    }

    private static List<String> cifarFiles() {
        List<String> all = new ArrayList<>(Cifar10.TRAIN_FILES);
        all.add(Cifar10.TEST_FILE);
        return List.copyOf(all);
    }

    /** Name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** Files a directory must hold. */
    public List<String> files() {
        return files;
    }

    /** Sub-directories of a data root that may hold the files (as archives unpack them). */
    public List<String> subdirectories() {
        return subdirectories;
    }

    /** Where a system package installs the files, if one does. */
    public List<Path> systemDirectories() {
        return systemDirectories;
    }

    /** One sentence on how to obtain the data. */
    public String howToGet() {
        return howToGet;
    }

    /** The files of {@link #files()} that {@code dir} lacks (Fashion-MNIST's may also be uncompressed). */
    public List<String> missingIn(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : files) {
            Path file = this == FASHION_MNIST ? FashionMnist.file(dir, name) : dir.resolve(name);
            if (!Files.isRegularFile(file)) {
                missing.add(name);
            }
        }
        return missing;
    }

    /**
     * Parses a command-line name.
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static DatasetKind parse(String name) {
        for (DatasetKind k : values()) {
            if (k.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "': allowed are fashion-mnist, cifar10");
    }
}
