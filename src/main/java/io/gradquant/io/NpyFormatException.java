package io.gradquant.io;

import java.io.IOException;

/**
 * A file that is not a .npy file this library can read: bad magic, unsupported version, malformed
 * header, a dtype other than little-endian float32, Fortran order, or data shorter or longer than
 * the shape says. The message names the file, what is wrong and what is allowed.
 */
public final class NpyFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message the whole message, file name included */
    public NpyFormatException(String message) {
        super(message);
    }
}
