package io.gradquant.distributed;

/** The ranks of a job do not run the same configuration; the message names the field, the values and the ranks. */
public final class ConfigurationMismatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what differs, and between which ranks */
    public ConfigurationMismatchException(String message) {
        super(message);
    }
}
