package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.reference.JavaBackend;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Ranks of {@link FaultsTest}. Arguments: a mode, then its arguments.
 * <ul>
 * <li>{@code loop}: prints {@code rank R pid P ready}, then exchanges float32 gradients for up to two
 * minutes (the test kills a rank meanwhile).
 * <li>{@code corrupt COLLECTIVE RANK STEP}: exchanges standard-quantized gradients for 6 steps; rank
 * RANK's message of step STEP is damaged (one bit flipped) on its way into MPI.
 * </ul>
 */
public final class FaultRanks {
    private FaultRanks() {
    }

    public static void main(String[] args) {
        RankMain.run(() -> {
            MpiWorld world = MpiWorld.get();
            switch (args[0]) {
                case "loop" -> loop(world);
                case "corrupt" -> corrupt(world, Collective.fromName(args[1]), Integer.parseInt(args[2]),
                        Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
            return 0;
        });
    }

    private static void loop(MpiWorld world) {
        GradientExchange exchange = GradientExchange.builder(world, new JavaBackend(),
                QuantizerSpec.builder(QuantizerType.NONE).build()).collective(Collective.ALLREDUCE).build();
        Segments x = Segments.of(Segments.directCopy(new float[4096]));
        world.barrier();
        System.out.println("rank " + world.rank() + " pid " + ProcessHandle.current().pid() + " ready");
        System.out.flush();
        long end = System.nanoTime() + 120_000_000_000L;
        for (long step = 0; System.nanoTime() < end; step++) {
            exchange.average(step, x);
        }
        throw new IllegalStateException("rank " + world.rank() + " was never stopped");
    }

    private static void corrupt(MpiWorld world, Collective collective, int badRank, long badStep) {
        long[] step = {0};
        Collectives damaging = new Damaging(world, () -> world.rank() == badRank && step[0] == badStep);
        GradientExchange exchange = GradientExchange.builder(damaging, new JavaBackend(),
                QuantizerSpec.builder(QuantizerType.STANDARD).build()).collective(collective).build();
        float[] g = ExchangeRanks.gradient(world.rank())[0];
        for (; step[0] < 6; step[0]++) {
            exchange.average(step[0], Segments.of(Segments.directCopy(g)));
        }
    }

    /** Flips one bit in the middle of each message this rank hands to MPI while {@code active} says so. */
    private static final class Damaging implements Collectives {
        private final Collectives world;
        private final java.util.function.BooleanSupplier active;

        Damaging(Collectives world, java.util.function.BooleanSupplier active) {
            this.world = world;
            this.active = active;
        }

        private ByteBuffer damaged(ByteBuffer send, int from, int length) {
            ByteBuffer copy = ByteBuffer.allocateDirect(send.remaining());
            copy.put(send.duplicate()).flip();
            if (length > 0) {
                int at = from + length / 2;
                copy.put(at, (byte) (copy.get(at) ^ 0x10));
            }
            return copy;
        }

        @Override
        public List<ByteBuffer> allgather(ByteBuffer message) {
            return world.allgather(active.getAsBoolean() ? damaged(message, 0, message.remaining()) : message);
        }

        @Override
        public List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes) {
            if (!active.getAsBoolean()) {
                return world.alltoall(send, blockBytes);
            }
            int target = (world.rank() + 1) % world.size(); // the next rank's chunk
            int from = 0;
            for (int j = 0; j < target; j++) {
                from += blockBytes[j];
            }
            return world.alltoall(damaged(send, from, blockBytes[target]), blockBytes);
        }

        @Override
        public int rank() {
            return world.rank();
        }

        @Override
        public int size() {
            return world.size();
        }

        @Override
        public void broadcast(ByteBuffer buffer, int root) {
            world.broadcast(buffer, root);
        }

        @Override
        public void allreduceSum(FloatBuffer values) {
            world.allreduceSum(values);
        }

        @Override
        public void barrier() {
            world.barrier();
        }

        @Override
        public long bytesSent() {
            return world.bytesSent();
        }
    }
}
