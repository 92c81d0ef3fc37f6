package io.gradquant.distributed;

/**
 * An MPI call failed (its return code was not MPI_SUCCESS), or MPI cannot be used in this process.
 * The message names the call and MPI's error string; on a multi-rank run the process then ends the
 * whole job ({@link MpiWorld#exit(int)}).
 */
public final class MpiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed: the call and MPI's error string */
    public MpiException(String message) {
        super(message);
    }

    /** @param message what failed; {@code cause} is why */
    public MpiException(String message, Throwable cause) {
        super(message, cause);
    }
}
