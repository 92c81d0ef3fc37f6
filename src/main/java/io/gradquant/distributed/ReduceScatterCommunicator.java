package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * {@link Collective#REDUCE_SCATTER}, as CGX's scatter-reduce-allgather. The gradient is cut into
 * N chunks ({@link ChunkPlan}); rank j owns chunk j.
 * <ol>
 * <li>Each rank compresses every chunk but its own and sends chunk j to rank j (alltoall).
 * <li>Rank j averages its own chunk, exact, with the N-1 decoded peers' chunks (weight 1/N each),
 * then compresses the average, writing the quantized values back into its own chunk.
 * <li>The averages are allgathered; every rank decodes the peers' into their chunks, so every rank
 * ends with the same values, the owner's written-back ones included.
 * </ol>
 * Per rank that sends N-1 chunk messages plus its average N-1 times: about 2(N-1)/N gradient
 * messages instead of allgather's N-1. Error feedback covers step 1 only.
 */
final class ReduceScatterCommunicator implements Communicator {
    private final Collectives world;
    private final Backend backend;
    private final ChunkPlan plan;
    private final QuantizerSpec[] chunkSpecs;
    private final QuantizerSpec reducedSpec;
    private final ByteBuffer send;
    private final ByteBuffer reduced;

    ReduceScatterCommunicator(Collectives world, Backend backend, QuantizerSpec spec, long[] lengths) {
        this.world = world;
        this.backend = backend;
        int n = world.size();
        int rank = world.rank();
        this.plan = new ChunkPlan(lengths, n, spec);
        this.chunkSpecs = new QuantizerSpec[n];
        long[][] peerChunks = new long[n - 1][];
        for (int j = 0, k = 0; j < n; j++) {
            chunkSpecs[j] = spec.toBuilder().seed(RankSeeds.of(spec.seed(), rank, RankSeeds.GRADIENT, j)).build();
            if (j != rank) {
                peerChunks[k++] = plan.pieceLengths(j);
            }
        }
        this.reducedSpec = spec.toBuilder().seed(RankSeeds.of(spec.seed(), rank, RankSeeds.REDUCED, 0)).build();
        this.send = MessageBuffers.forMessages(spec, peerChunks);
        this.reduced = MessageBuffers.forMessages(spec, plan.pieceLengths(rank));
    }

    @Override
    public void average(long step, GradientMemory gradient, ErrorFeedback memory, StepClock clock) {
        Segments x = gradient.hostSegments();
        int n = world.size();
        int rank = world.rank();
        float weight = 1.0f / n;

        // 1. compress the peers' chunks of this rank's gradient
        long start = System.nanoTime();
        if (memory != null) {
            memory.compensate(x);
        }
        send.clear();
        int[] blockBytes = new int[n];
        for (int j = 0; j < n; j++) {
            if (j == rank || plan.length(j) == 0) {
                continue;
            }
            int before = send.position();
            Encoded encoded = backend.encode(chunkSpecs[j], step, plan.chunk(x, j), send, memory != null);
            blockBytes[j] = send.position() - before;
            clock.message(encoded.bytes(), plan.length(j));
            clock.addStats(encoded.stats());
        }
        send.flip();
        if (memory != null) {
            memory.update(x); // own chunk unchanged: its residual becomes 0
        }
        long t1 = System.nanoTime();
        clock.encodeNanos += t1 - start;

        List<ByteBuffer> received = world.alltoall(send, blockBytes);
        long t2 = System.nanoTime();
        clock.communicateNanos += t2 - t1;

        // 2. average the own chunk with the peers' and compress the average
        Segments own = plan.chunk(x, rank);
        FloatOps.scale(own, weight);
        for (int j = 0; j < n; j++) {
            if (j != rank) {
                apply(received.get(j), own, j, step, plan.length(rank), "its chunk " + rank, weight);
            }
        }
        long t3 = System.nanoTime();
        clock.decodeNanos += t3 - t2;
        reduced.clear();
        if (plan.length(rank) > 0) {
            clock.message(backend.encode(reducedSpec, step, own, reduced, true).bytes(), plan.length(rank));
        }
        reduced.flip();
        long t4 = System.nanoTime();
        clock.encodeNanos += t4 - t3;

        // 3. share the averages
        List<ByteBuffer> averages = world.allgather(reduced);
        long t5 = System.nanoTime();
        clock.communicateNanos += t5 - t4;
        for (int j = 0; j < n; j++) {
            if (j != rank) {
                apply(averages.get(j), plan.chunk(x, j), j, step, plan.length(j), "the average of chunk " + j, Float.NaN);
            }
        }
        clock.decodeNanos += System.nanoTime() - t5;
    }

    /** Decodes (weight NaN) or decode-adds a message from {@code sender} into {@code into}, refusing a bad one. */
    private void apply(ByteBuffer message, Segments into, int sender, long step, long length, String what, float weight) {
        try {
            if (length == 0) {
                if (message.remaining() != 0) {
                    throw new MessageException("message length", "message length " + message.remaining()
                            + " is not allowed: the chunk is empty, so the message must be too");
                }
            } else if (Float.isNaN(weight)) {
                backend.decode(message, into);
            } else {
                backend.decodeAdd(message, into, weight);
            }
        } catch (MessageException e) {
            throw new RefusedMessageException(world.rank(), step, sender, what, e);
        }
    }
}
