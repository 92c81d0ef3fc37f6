package io.gradquant.io;

import java.io.IOException;

/** An output file cannot be written; the message names the path and the reason. */
public final class OutputFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutputFileException(String message) {
        super(message);
    }

    public OutputFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
