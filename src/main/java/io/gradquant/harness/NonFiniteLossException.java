package io.gradquant.harness;

/** A training loss became NaN or infinite; the run stops before applying that step. */
public final class NonFiniteLossException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param phase  what was running: "training with quantizer X" or "the variance probe"
     * @param step   the global step (from 1) whose loss was not finite
     * @param epoch  its epoch (from 1)
     * @param loss   the loss value
     */
    public NonFiniteLossException(String phase, long step, int epoch, float loss) {
        super("loss is " + loss + " at step " + step + " (epoch " + epoch + ") of " + phase
                + ": stopped before applying that step; lower the learning rate (--lr) or check the data");
    }
}
