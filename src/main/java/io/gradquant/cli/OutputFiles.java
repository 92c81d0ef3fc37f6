package io.gradquant.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The checks an output file option passes before a command does any work, so a bad one never leaves a file written. */
final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * @throws ParameterException naming the option if {@code file}'s directory does not exist or
     *         {@code file} is a directory
     */
    static void check(CommandLine cmd, String option, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ParameterException(cmd, option + " " + file + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new ParameterException(cmd, option + " " + file + " is a directory: it must be a file name");
        }
    }
}
