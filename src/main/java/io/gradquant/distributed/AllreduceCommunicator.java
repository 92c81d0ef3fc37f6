package io.gradquant.distributed;

import io.gradquant.Segments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * {@link Collective#ALLREDUCE}, the float32 baseline, also the path of the tensors too small to
 * compress: the segments are staged into one buffer, summed with one MPI_Allreduce, and scaled by
 * 1/N on the way back. MPI gives every rank the same sum, so every rank ends with the same values.
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
    public void average(long step, Segments x, ErrorFeedback memory, StepClock clock) {
        long start = System.nanoTime();
        int at = 0;
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer b = x.segment(s);
            staging.put(at, b, 0, b.limit());
            at += b.limit();
        }
        clock.message((long) at * Float.BYTES, at);
        long staged = System.nanoTime();
        clock.encodeNanos += staged - start;

        world.allreduceSum(staging.clear().limit(at));
        long reduced = System.nanoTime();
        clock.communicateNanos += reduced - staged;

        float weight = 1.0f / world.size();
        at = 0;
        for (int s = 0; s < x.count(); s++) {
            FloatBuffer b = x.segment(s);
            for (int i = 0, n = b.limit(); i < n; i++) {
                b.put(i, staging.get(at + i) * weight);
            }
            at += b.limit();
        }
        clock.decodeNanos += System.nanoTime() - reduced;
    }
}
