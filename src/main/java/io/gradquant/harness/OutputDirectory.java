package io.gradquant.harness;

import io.gradquant.io.OutputFile;
import io.gradquant.io.OutputFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
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
     * Checks, before any work, that {@code dir} may be written, without creating it (so that a run
     * failing before it writes anything leaves nothing behind): it is a directory, or does not exist
     * yet and its nearest existing ancestor is a directory; files can be created there (tried, not
     * guessed); and each of {@code files} already in it is a regular file that may be replaced.
     *
     * @param files the names the run will write into {@code dir}
     * @throws IllegalArgumentException naming the directory or file and what is wrong: a file where
     *                                  the directory should be, a non-empty directory without
     *                                  {@code force}, a directory that cannot be written
     */
    public static void check(Path dir, boolean force, List<String> files) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file: it must be a directory");
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException("--out " + dir + " cannot be created: " + existing
                    + " is not a directory");
        }
        if (existing.equals(dir.toAbsolutePath()) && !force && !isEmpty(dir)) {
            throw new IllegalArgumentException("--out " + dir + " already exists and is not empty: choose"
                    + " another directory, or pass --force to write into it (replacing files of the same name)");
        }
        try {
            OutputFile.checkDirectory(existing);
            if (existing.equals(dir.toAbsolutePath())) {
                for (String file : files) {
                    OutputFile.check(dir.resolve(file));
                }
            }
        } catch (OutputFileException e) {
            throw new IllegalArgumentException("--out " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + dir + " cannot be listed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }
}
