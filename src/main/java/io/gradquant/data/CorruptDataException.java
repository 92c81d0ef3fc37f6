package io.gradquant.data;

import java.io.IOException;
import java.nio.file.Path;

/** A data set file exists but its content is not what its format requires; the message names the file. */
public final class CorruptDataException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param file the offending file; {@code problem} says what is wrong with it */
    public CorruptDataException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
