package io.gradquant.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;

/**
 * The directory a run writes its results to. An existing directory with anything in it is refused
 * unless forced, so that one run never silently overwrites another's results; forced, files of the
 * same name are replaced and other files are left alone.
 */
public final class OutputDirectory {
    private OutputDirectory() {
    }

    /** A new directory name under {@code ./gradquant-runs}: COMMAND-yyyyMMdd-HHmmss. */
    public static Path defaultFor(String command) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path base = Path.of("gradquant-runs", command + "-" + stamp);
        Path dir = base;
        for (int i = 2; Files.exists(dir); i++) {
            dir = Path.of(base + "-" + i);
        }
        return dir;
    }

    /**
     * Checks that {@code dir} may be written, without creating it (so that a run failing before
     * it writes anything leaves nothing behind).
     *
     * @throws IllegalArgumentException if it is a file, or a non-empty directory and {@code force} is false
     */
    public static void check(Path dir, boolean force) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file: it must be a directory");
        }
        if (Files.isDirectory(dir) && !force) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--out " + dir + " already exists and is not empty: choose"
                            + " another directory, or pass --force to write into it (replacing files of the same name)");
                }
            }
        }
    }

    /** {@link #check}s {@code dir} and creates it. */
    public static Path prepare(Path dir, boolean force) throws IOException {
        check(dir, force);
        return Files.createDirectories(dir);
    }
}
