package io.gradquant.distributed;

/**
 * How the ranks' gradients meet (GRACE's "communicator"): one implementation per
 * {@link Collective}. Every rank calls {@link #average} with the same step and segment lengths.
 */
interface Communicator {
    /**
     * Replaces {@code x} on every rank with the same average over the ranks of their {@code x}
     * (exact for float32 up to summation order; for compressed collectives, the average of the
     * ranks' quantized values, unbiased for unbiased quantizers).
     *
     * @param memory error feedback applied to this rank's own compression, or null (always null for
     *               gradients given by address, which have no host buffers)
     * @throws RefusedMessageException if a received message fails the decoder's checks
     */
    void average(long step, GradientMemory x, ErrorFeedback memory, StepClock clock);
}
