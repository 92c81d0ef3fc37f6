package io.gradquant.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Ranks without MPI, for testing the exchange's logic inside the test JVM: {@code new LocalWorld()}
 * is a world of one rank; {@link #run} runs N ranks on N threads that meet at every collective
 * call. Float32 sums are taken in rank order, so equal inputs give equal sums on every run. Bytes
 * sent are counted as {@link Collectives} says.
 */
public final class LocalWorld implements Collectives {
    private static final long WAIT_SECONDS = 60;

    private final int rank;
    private final Meeting meeting;
    private long bytesSent;

    /** A world of one rank. */
    public LocalWorld() {
        this(0, new Meeting(1));
    }

    private LocalWorld(int rank, Meeting meeting) {
        this.rank = rank;
        this.meeting = meeting;
    }

    /**
     * Runs {@code body} as every rank of a world of {@code size}, each on a thread of its own.
     *
     * @return each rank's result, in rank order
     * @throws ExecutionException if a rank threw (the others then fail at their next meeting)
     */
    static <T> List<T> run(int size, Function<Collectives, T> body) throws Exception {
        Meeting meeting = new Meeting(size);
        ExecutorService threads = Executors.newFixedThreadPool(size);
        try {
            List<Future<T>> ranks = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                LocalWorld world = new LocalWorld(r, meeting);
                ranks.add(threads.submit(() -> {
                    try {
                        return body.apply(world);
                    } catch (RuntimeException | Error e) {
                        meeting.barrier.reset(); // the ranks waiting for this one stop waiting
                        throw e;
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : ranks) {
                results.add(f.get(2 * WAIT_SECONDS, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    /** What the ranks hand each other at one collective call. */
    private static final class Meeting {
        final CyclicBarrier barrier;
        final Object[] slots;

        Meeting(int size) {
            barrier = new CyclicBarrier(size);
            slots = new Object[size];
        }

        /** Puts {@code mine} in this rank's slot and returns every rank's, once all have put theirs. */
        Object[] meet(int rank, Object mine) {
            slots[rank] = mine;
            await();
            Object[] all = slots.clone();
            await(); // nobody writes the next call's slot before everyone has read this one's
            return all;
        }

        private void await() {
            try {
                barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("a rank of the local world did not meet the others", e);
            }
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return meeting.slots.length;
    }

    @Override
    public void broadcast(ByteBuffer buffer, int root) {
        Object[] all = meeting.meet(rank, rank == root ? copy(buffer) : null);
        if (rank == root) {
            bytesSent += (long) buffer.remaining() * (size() - 1);
        } else {
            buffer.duplicate().put(((ByteBuffer) all[root]).duplicate());
        }
    }

    @Override
    public List<ByteBuffer> allgather(ByteBuffer message) {
        Object[] all = meeting.meet(rank, copy(message));
        bytesSent += (long) (Long.BYTES + message.remaining()) * (size() - 1);
        List<ByteBuffer> out = new ArrayList<>();
        for (Object m : all) {
            out.add(((ByteBuffer) m).duplicate().order(ByteOrder.LITTLE_ENDIAN));
        }
        return out;
    }

    @Override
    public List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes) {
        List<ByteBuffer> blocks = new ArrayList<>();
        int at = send.position();
        for (int j = 0; j < size(); j++) {
            blocks.add(copy(send.duplicate().position(at).limit(at + blockBytes[j])));
            at += blockBytes[j];
            if (j != rank) {
                bytesSent += Long.BYTES + blockBytes[j];
            }
        }
        Object[] all = meeting.meet(rank, blocks);
        List<ByteBuffer> out = new ArrayList<>();
        for (Object fromSender : all) {
            @SuppressWarnings("unchecked")
            List<ByteBuffer> theirs = (List<ByteBuffer>) fromSender;
            out.add(theirs.get(rank).duplicate().order(ByteOrder.LITTLE_ENDIAN));
        }
        return out;
    }

    @Override
    public void allreduceSum(FloatBuffer values) {
        float[] mine = new float[values.remaining()];
        values.get(values.position(), mine);
        Object[] all = meeting.meet(rank, mine);
        for (int i = 0; i < mine.length; i++) {
            float sum = ((float[]) all[0])[i];
            for (int r = 1; r < all.length; r++) {
                sum += ((float[]) all[r])[i];
            }
            values.put(values.position() + i, sum);
        }
        int n = size();
        bytesSent += 2L * (n - 1) * mine.length * Float.BYTES / n;
    }

    @Override
    public void barrier() {
        meeting.meet(rank, null);
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.remaining());
        c.put(b.duplicate()).flip();
        return c.order(ByteOrder.LITTLE_ENDIAN);
    }
}
