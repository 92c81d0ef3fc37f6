package io.gradquant.distributed;

import io.gradquant.codec.MessageException;

/**
 * A message from another rank failed the decoder's checks; nothing of it was applied, and the run
 * stops (on a multi-rank run, the whole job). The message names this rank, the step, the sender and
 * the decoder's reason.
 */
public final class RefusedMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int rank;
    private final long step;
    private final int sender;

    RefusedMessageException(int rank, long step, int sender, String what, MessageException cause) {
        super("rank " + rank + ", step " + step + ": refused " + what + " from rank " + sender + ": " + cause.getMessage(),
                cause);
        this.rank = rank;
        this.step = step;
        this.sender = sender;
    }

    /** The rank that refused the message. */
    public int rank() {
        return rank;
    }

    /** The step whose exchange carried it. */
    public long step() {
        return step;
    }

    /** The rank that sent it. */
    public int sender() {
        return sender;
    }
}
