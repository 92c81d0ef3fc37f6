package io.gradquant.cli;

import io.gradquant.io.OutputFile;
import io.gradquant.io.OutputFileException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The checks an output file option passes before a command does any work, so a bad one never leaves a file written. */
final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * @throws ParameterException naming the option if {@code file} cannot be written (see
     *         {@link OutputFile#check}): a usage error, exit code 2
     */
    static void check(CommandLine cmd, String option, Path file) {
        try {
            OutputFile.check(file);
        } catch (OutputFileException e) {
            throw new ParameterException(cmd, option + " " + file + ": " + e.getMessage());
        }
    }
}
