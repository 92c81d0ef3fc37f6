package io.gradquant.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * {@link Collective#ALLREDUCE}, the float32 baseline, also the path of the tensors too small to
 * compress: the segments are staged into one host buffer (from a GPU, one copy per segment), summed
 * with one MPI_Allreduce, scaled by 1/N and copied back. MPI gives every rank the same sum, so every
 * rank ends with the same values.
 * Error feedback does not apply (nothing is lost).
 */
final class AllreduceCommunicator implements Communicator {
    private final Collectives world;
    private final FloatBuffer staging;

    AllreduceCommunicator(Collectives world, long totalLength) {
        this.world = world;
        if (totalLength > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("a float32 allreduce of " + totalLength + " values does not fit one buffer"
                    + " (at most " + Integer.MAX_VALUE / Float.BYTES + ")");
        }
        this.staging = ByteBuffer.allocateDirect((int) totalLength * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    @Override
    public void average(long step, GradientMemory x, ErrorFeedback memory, StepClock clock) {
        long start = System.nanoTime();
        int total = staging.capacity();
        x.toHost(staging.clear());
        clock.message((long) total * Float.BYTES, total);
        long staged = System.nanoTime();
        clock.encodeNanos += staged - start;

        world.allreduceSum(staging);
        long reduced = System.nanoTime();
        clock.communicateNanos += reduced - staged;

        float weight = 1.0f / world.size();
        for (int i = 0; i < total; i++) {
            staging.put(i, staging.get(i) * weight);
        }
        x.fromHost(staging);
        clock.decodeNanos += System.nanoTime() - reduced;
    }
}
