package io.gradquant.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr, {@code gradquant: error: <what is wrong>}, and an
 * exit code: 2 for usage and validation errors (picocli's exitCodeOnInvalidInput), 1 for failures
 * while running (exitCodeOnExecutionException). Never prints a stack trace: the messages of this
 * project's exceptions already say what is wrong and what is allowed.
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** Prefix of every error line. */
    static final String PREFIX = "gradquant: error: ";

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        // some of picocli's own messages start with "Error: "; ours already says it
        cmd.getErr().println(PREFIX + message(e).replaceFirst("^Error: ", ""));
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        cmd.getErr().println(PREFIX + message(e));
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    /** One line describing {@code e}; file-system exceptions get their path and reason spelled out. */
    static String message(Throwable e) {
        String text;
        if (e instanceof NoSuchFileException f) {
            text = f.getFile() + ": no such file";
        } else if (e instanceof AccessDeniedException f) {
            text = f.getFile() + ": permission denied";
        } else if (e instanceof FileSystemException f) {
            text = f.getMessage();
        } else if (e.getMessage() == null || e.getMessage().isBlank()) {
            text = "unexpected " + e.getClass().getName();
        } else {
            text = e.getMessage();
        }
        return text.replace('\n', ' ').strip();
    }
}
