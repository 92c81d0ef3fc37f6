package io.gradquant.codec;

/**
 * A message that a decoder refuses: truncated, corrupt, inconsistent, or not matching the
 * destination. Thrown before anything is written to the destination; the message names the field,
 * its value and what is allowed.
 */
public final class MessageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the field at fault, as docs/wire-format.md names it (e.g. "levels", "checksum")
     * @param message the whole sentence: the field, its value and what is allowed
     */
    public MessageException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault, as docs/wire-format.md names it. */
    public String field() {
        return field;
    }
}
