package io.gradquant.bench;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.Collectives;
import io.gradquant.distributed.ExchangeStats;
import io.gradquant.distributed.GradientExchange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Times gradient all-reduces across the ranks of an MPI job ({@code gradquant bench-collective}):
 * for each quantizer and collective, every rank averages a gradient-like vector of its own
 * ({@link GradientLikeInput}, seeded by seed and rank) with {@link GradientExchange}; float32
 * MPI_Allreduce (quantizer none, collective allreduce) is timed in the same run as the baseline.
 * Each round starts after a barrier; a round's time is the slowest rank's, and the figures are the
 * medians over the timed rounds. Every rank calls {@link #run}; the result is the same on all.
 */
public final class CollectiveBench {
    /**
     * What to time.
     *
     * @param elements    values per rank
     * @param specs       the quantizers, each with its spec (the seed is the inputs' seed too)
     * @param collectives the collectives for the quantizers (float32 allreduce is always the baseline)
     * @param repeats     timed rounds
     * @param warmup      untimed rounds before them
     * @param seed        seed of the inputs
     */
    public record Config(int elements, List<QuantizerSpec> specs, List<Collective> collectives, int repeats,
            int warmup, long seed) {
        /** The fields every rank must agree on, for ConfigDigest. */
        public Map<String, String> fields() {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("elements", Integer.toString(elements));
            f.put("quantizers", specs.toString());
            f.put("collectives", collectives.toString());
            f.put("repeats", Integer.toString(repeats));
            f.put("warmup", Integer.toString(warmup));
            f.put("seed", Long.toString(seed));
            return f;
        }
    }

    /**
     * One quantizer with one collective.
     *
     * @param quantizer            quantizer name
     * @param collective           collective name
     * @param seconds              median seconds per all-reduce (slowest rank of each round)
     * @param encodeSeconds        median seconds encoding (mean over ranks)
     * @param communicateSeconds   median seconds in MPI calls (mean over ranks)
     * @param decodeSeconds        median seconds decoding (mean over ranks)
     * @param bytesSentPerWorker   bytes each rank sent per all-reduce (mean over ranks)
     * @param compressionRatio     float32 bytes over message bytes
     * @param speedupVsAllreduce   float32 MPI_Allreduce's seconds over these (above 1: faster than it)
     */
    public record Row(String quantizer, String collective, double seconds, double encodeSeconds,
            double communicateSeconds, double decodeSeconds, double bytesSentPerWorker, double compressionRatio,
            double speedupVsAllreduce) {
    }

    private final Collectives world;
    private final Backend backend;
    private final Config config;
    private final Consumer<String> progress;

    /**
     * @param progress receives one line per timed configuration (rank 0 prints them)
     */
    public CollectiveBench(Collectives world, Backend backend, Config config, Consumer<String> progress) {
        this.world = world;
        this.backend = backend;
        this.config = config;
        this.progress = progress;
    }

    /** Times the float32 baseline, then every quantizer with every collective; rows in that order. */
    public List<Row> run() {
        FloatBuffer input = direct(config.elements());
        GradientLikeInput.fill(input, config.seed() * 1_000_003L + world.rank());
        FloatBuffer work = direct(config.elements());
        QuantizerSpec float32 = QuantizerSpec.builder(QuantizerType.NONE).seed(config.seed()).build();
        double[] baseline = time(float32, Collective.ALLREDUCE, input, work);
        List<Row> rows = new ArrayList<>();
        rows.add(row(float32, Collective.ALLREDUCE, baseline, baseline[0]));
        for (QuantizerSpec spec : config.specs()) {
            for (Collective c : config.collectives()) {
                if (c == Collective.ALLREDUCE) {
                    continue; // float32 only: the baseline above
                }
                rows.add(row(spec, c, time(spec, c, input, work), baseline[0]));
            }
        }
        return rows;
    }

    /** {seconds, encode, communicate, decode, bytes sent, compression ratio}, medians over the rounds, combined over ranks. */
    private double[] time(QuantizerSpec spec, Collective collective, FloatBuffer input, FloatBuffer work) {
        GradientExchange exchange = GradientExchange.builder(world, backend, spec).collective(collective)
                .minQuantizedSize(0).build();
        Segments segments = Segments.of(work);
        int rounds = config.warmup() + config.repeats();
        double[][] timed = new double[6][config.repeats()];
        for (int r = 0; r < rounds; r++) {
            work.put(0, input, 0, input.limit());
            world.barrier();
            long start = System.nanoTime();
            ExchangeStats s = exchange.average(r, segments);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (r >= config.warmup()) {
                int i = r - config.warmup();
                timed[0][i] = seconds;
                timed[1][i] = s.encodeSeconds();
                timed[2][i] = s.communicateSeconds();
                timed[3][i] = s.decodeSeconds();
                timed[4][i] = s.bytesSent();
                timed[5][i] = s.compressionRatio();
            }
        }
        double[] mine = new double[6];
        for (int k = 0; k < 6; k++) {
            mine[k] = Median.of(timed[k]);
        }
        double[] all = combine(mine);
        progress.accept(String.format(java.util.Locale.ROOT, "%s %s: %.4f s per all-reduce", spec.type().cliName(),
                collective.cliName(), all[0]));
        return all;
    }

    /** Every rank's medians, combined: the slowest rank's time, the means of the rest. */
    private double[] combine(double[] mine) {
        ByteBuffer out = ByteBuffer.allocateDirect(mine.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : mine) {
            out.putDouble(v);
        }
        List<ByteBuffer> ranks = world.allgather(out.flip());
        double[] combined = new double[mine.length];
        for (ByteBuffer b : ranks) {
            for (int k = 0; k < mine.length; k++) {
                double v = b.getDouble(k * Double.BYTES);
                combined[k] = k == 0 ? Math.max(combined[k], v) : combined[k] + v / ranks.size();
            }
        }
        return combined;
    }

    private static Row row(QuantizerSpec spec, Collective c, double[] m, double baselineSeconds) {
        return new Row(spec.type().cliName(), c.cliName(), m[0], m[1], m[2], m[3], m[4], m[5], baselineSeconds / m[0]);
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
