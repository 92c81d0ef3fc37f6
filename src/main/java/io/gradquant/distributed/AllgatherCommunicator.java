package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@link Collective#ALLGATHER}: each rank compresses its whole gradient into one message, the
 * messages are allgathered, and every rank decodes all N of them in rank order into the same
 * zeroed gradient with weight 1/N, so every rank computes the same floats in the same order. The
 * gradient may be on a GPU ({@link GradientMemory}): then only the messages cross to the host.
 */
final class AllgatherCommunicator implements Communicator {
    private final Collectives world;
    private final QuantizerSpec spec;
    private final ByteBuffer send;

    AllgatherCommunicator(Collectives world, QuantizerSpec spec, long[] lengths) {
        this.world = world;
        this.spec = spec.toBuilder().seed(RankSeeds.of(spec.seed(), world.rank(), RankSeeds.GRADIENT, 0)).build();
        this.send = MessageBuffers.forMessages(spec, lengths);
    }

    @Override
    public void average(long step, GradientMemory x, ErrorFeedback memory, StepClock clock) {
        long start = System.nanoTime();
        if (memory != null) {
            memory.compensate(x.hostSegments());
        }
        send.clear();
        Encoded encoded = x.encode(spec, step, send, memory != null);
        send.flip();
        if (memory != null) {
            memory.update(x.hostSegments());
        }
        clock.message(encoded.bytes(), x.totalLength());
        clock.addStats(encoded.stats());
        long afterEncode = System.nanoTime();
        clock.encodeNanos += afterEncode - start;

        List<ByteBuffer> messages = world.allgather(send);
        long gathered = System.nanoTime();
        clock.communicateNanos += gathered - afterEncode;

        x.zero();
        float weight = 1.0f / world.size();
        for (int j = 0; j < messages.size(); j++) {
            try {
                x.decodeAdd(messages.get(j), weight);
            } catch (MessageException e) {
                throw new RefusedMessageException(world.rank(), step, j, "the gradient message", e);
            }
        }
        clock.decodeNanos += System.nanoTime() - gathered;
    }
}
