package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.backend.Backends;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A rank of {@link MultiRankExchangeTest}: runs every quantizer with every collective on gradients
 * of its own and writes what it measured to {@code <dir>/rank-<r>.txt}, one {@code key value} per
 * line; the test compares the ranks' files and checks the figures.
 *
 * <p>Arguments: output directory, backend, steps per case.
 */
public final class ExchangeRanks {
    /** Segment lengths: two compressed (13 full buckets of 512 in all) and two below the layer filter. */
    static final long[] LENGTHS = {4096, 100, 2560, 7};
    static final int MIN_QUANTIZED_SIZE = 1024;
    static final long SEED = 7;

    private final Collectives world;
    private final Backend backend;
    private final int steps;
    private final List<String> lines = new ArrayList<>();

    private ExchangeRanks(Collectives world, Backend backend, int steps) {
        this.world = world;
        this.backend = backend;
        this.steps = steps;
    }

    public static void main(String[] args) {
        RankMain.run(() -> {
            MpiWorld world = MpiWorld.get();
            Path dir = Path.of(args[0]);
            try (Backend backend = Backends.create(args[1], 1).backend()) {
                ExchangeRanks ranks = new ExchangeRanks(world, backend, Integer.parseInt(args[2]));
                ranks.all();
                ranks.write(dir.resolve("rank-" + world.rank() + ".txt"));
            }
            return 0;
        });
    }

    private void all() {
        line("size", world.size());
        for (QuantizerType q : QuantizerType.values()) {
            for (Collective c : Collective.values()) {
                if (c == Collective.ALLREDUCE && q != QuantizerType.NONE) {
                    continue;
                }
                String name = q.cliName() + "/" + c.cliName();
                statistics(name, spec(q), c);
                constants(name, spec(q), c);
            }
        }
        for (Collective c : List.of(Collective.ALLGATHER, Collective.REDUCE_SCATTER)) {
            errorFeedback("ef/" + c.cliName(), spec(QuantizerType.STANDARD), c);
        }
    }

    private static QuantizerSpec spec(QuantizerType q) {
        return QuantizerSpec.builder(q).bucketSize(512).levels(16).seed(SEED).build();
    }

    /** Rank r's gradient: normal values whose scale changes from bucket to bucket. */
    static float[][] gradient(int rank) {
        SplittableRandom random = new SplittableRandom(1000 + rank);
        float[][] g = new float[LENGTHS.length][];
        for (int s = 0; s < LENGTHS.length; s++) {
            g[s] = new float[(int) LENGTHS[s]];
            double scale = 1;
            for (int i = 0; i < g[s].length; i++) {
                if (i % 512 == 0) {
                    scale = Math.pow(10, -3 + 2 * random.nextDouble());
                }
                g[s][i] = (float) (random.nextGaussian() * scale);
            }
        }
        return g;
    }

    /**
     * Over {@code steps} steps on the same gradients: the SHA-256 of every step's result (identical on
     * every rank), t statistics of three linear functionals of (result - exact average) over the steps
     * (unbiasedness), the mean squared error against the rounding variance the ranks reported, and
     * the bytes sent against the messages handed to MPI.
     */
    private void statistics(String name, QuantizerSpec spec, Collective collective) {
        int n = world.size();
        double[][] exact = new double[LENGTHS.length][];
        for (int s = 0; s < LENGTHS.length; s++) {
            exact[s] = new double[(int) LENGTHS[s]];
        }
        for (int r = 0; r < n; r++) {
            float[][] g = gradient(r);
            for (int s = 0; s < LENGTHS.length; s++) {
                for (int i = 0; i < g[s].length; i++) {
                    exact[s][i] += (double) g[s][i] / n;
                }
            }
        }
        SplittableRandom signs = new SplittableRandom(99);
        double[][] sign = new double[LENGTHS.length][];
        for (int s = 0; s < LENGTHS.length; s++) {
            sign[s] = signs.doubles(LENGTHS[s]).map(v -> v < 0.5 ? -1 : 1).toArray();
        }
        RecordingCollectives recorder = new RecordingCollectives(world);
        GradientExchange exchange = GradientExchange.builder(recorder, backend, spec).collective(collective)
                .minQuantizedSize(MIN_QUANTIZED_SIZE).build();
        float[][] mine = gradient(world.rank());
        double[][] functionals = new double[3][steps];
        double squaredError = 0;
        double variance = 0;
        // bytes of this rank's values that travel as float32 rather than in messages
        long float32Bytes = (collective == Collective.ALLREDUCE ? Arrays.stream(LENGTHS).sum() : LENGTHS[1] + LENGTHS[3])
                * Float.BYTES;
        MessageDigest sha = sha256();
        int byteMismatches = 0;
        for (int t = 0; t < steps; t++) {
            Segments x = direct(mine);
            long recordedBefore = recorder.expectedBytesSent;
            long messagesBefore = recorder.messageBytes;
            ExchangeStats stats = exchange.average(t, x);
            if (stats.bytesSent() != recorder.expectedBytesSent - recordedBefore
                    || stats.messageBytes() != float32Bytes + recorder.messageBytes - messagesBefore) {
                byteMismatches++;
            }
            variance += stats.quantStats() == null ? 0 : stats.quantStats().variance();
            for (int s = 0; s < LENGTHS.length; s++) {
                float[] v = new float[(int) LENGTHS[s]];
                x.segment(s).get(0, v);
                for (int i = 0; i < v.length; i++) {
                    double d = v[i] - exact[s][i];
                    functionals[0][t] += d;
                    functionals[1][t] += d * exact[s][i];
                    functionals[2][t] += d * sign[s][i];
                    squaredError += d * d;
                }
                ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(v);
                sha.update(bytes);
            }
        }
        line(name + ".sha256", HexFormat.of().formatHex(sha.digest()));
        line(name + ".t_sum", tStatistic(functionals[0]));
        line(name + ".t_exact", tStatistic(functionals[1]));
        line(name + ".t_signs", tStatistic(functionals[2]));
        // E||avg - exact||^2 = (sum over ranks of their rounding variance) / N^2 for allgather
        double allVariance = sum(world, variance / steps);
        line(name + ".mse", squaredError / steps);
        line(name + ".expected_mse", allVariance / ((double) n * n));
        line(name + ".byte_mismatches", byteMismatches);
        line(name + ".not_whole_messages", recorder.notWholeMessages);
        line(name + ".bytes_sent_per_step", recorder.expectedBytesSent / steps);
    }

    /** CGX's exact test: rank r sends the constant r + 1; the average is (N + 1) / 2 up to float rounding. */
    private void constants(String name, QuantizerSpec spec, Collective collective) {
        int n = world.size();
        float[][] constant = new float[LENGTHS.length][];
        for (int s = 0; s < LENGTHS.length; s++) {
            constant[s] = new float[(int) LENGTHS[s]];
            Arrays.fill(constant[s], world.rank() + 1);
        }
        GradientExchange exchange = GradientExchange.builder(world, backend, spec).collective(collective)
                .minQuantizedSize(MIN_QUANTIZED_SIZE).build();
        Segments x = direct(constant);
        exchange.average(0, x);
        double want = (n + 1) / 2.0;
        double worst = 0;
        for (int s = 0; s < LENGTHS.length; s++) {
            for (int i = 0; i < LENGTHS[s]; i++) {
                worst = Math.max(worst, Math.abs(x.segment(s).get(i) - want) / want);
            }
        }
        line(name + ".constant_relative_error", worst);
    }

    /**
     * Error feedback over three steps with changing gradients: after each, the residual must be
     * exactly fl(s - Q(s)) with s = fl(g + e), Q computed here by in-place quantize with the seed the
     * rank's message uses (bit for bit what the message decodes to), chunk by chunk for reduce-scatter
     * (the own chunk is not compressed: its residual is 0).
     */
    private void errorFeedback(String name, QuantizerSpec spec, Collective collective) {
        int rank = world.rank();
        GradientExchange exchange = GradientExchange.builder(world, backend, spec).collective(collective)
                .errorFeedback(true).minQuantizedSize(MIN_QUANTIZED_SIZE).build();
        long[] compressed = {LENGTHS[0], LENGTHS[2]};
        float[][] previous = {new float[(int) compressed[0]], new float[(int) compressed[1]]};
        int mismatches = 0;
        double residualNorm = 0;
        for (int t = 0; t < 3; t++) {
            float[][] g = gradient(rank + 10 * t);
            float[][] s = {new float[(int) compressed[0]], new float[(int) compressed[1]]};
            for (int k = 0; k < 2; k++) {
                float[] gk = g[k == 0 ? 0 : 2];
                for (int i = 0; i < s[k].length; i++) {
                    s[k][i] = gk[i] + previous[k][i];
                }
            }
            Segments q = direct(s);
            if (collective == Collective.ALLGATHER) {
                backend.quantize(spec.toBuilder().seed(RankSeeds.of(SEED, rank, RankSeeds.GRADIENT, 0)).build(), t, q);
            } else {
                ChunkPlan plan = new ChunkPlan(compressed, world.size(), spec);
                for (int j = 0; j < world.size(); j++) {
                    if (j != rank && plan.length(j) > 0) {
                        backend.quantize(spec.toBuilder().seed(RankSeeds.of(SEED, rank, RankSeeds.GRADIENT, j)).build(),
                                t, plan.chunk(q, j));
                    }
                }
            }
            exchange.average(t, direct(g));
            Segments residual = exchange.residual();
            for (int k = 0; k < 2; k++) {
                for (int i = 0; i < s[k].length; i++) {
                    float want = s[k][i] - q.segment(k).get(i);
                    float got = residual.segment(k).get(i);
                    if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                        mismatches++;
                    }
                    residualNorm += (double) got * got;
                    previous[k][i] = got;
                }
            }
        }
        line(name + ".residual_mismatches", mismatches);
        line(name + ".residual_norm", residualNorm);
    }

    /** The sum over ranks of one double. */
    private static double sum(Collectives world, double mine) {
        ByteBuffer b = ByteBuffer.allocateDirect(Double.BYTES).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, mine);
        double total = 0;
        for (ByteBuffer r : world.allgather(b)) {
            total += r.getDouble(0);
        }
        return total;
    }

    /** Mean over its standard error (Student t with steps - 1 degrees of freedom under zero mean); 0 if constant. */
    static double tStatistic(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / (v.length - 1) / v.length);
        return se == 0 ? 0 : mean / se;
    }

    private static Segments direct(float[][] values) {
        List<FloatBuffer> buffers = new ArrayList<>();
        for (float[] v : values) {
            buffers.add(Segments.directCopy(v));
        }
        return Segments.of(buffers);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void line(String key, Object value) {
        lines.add(key + " " + (value instanceof Double d ? String.format(Locale.ROOT, "%.9g", d) : value));
    }

    private void write(Path file) throws IOException {
        Files.write(file, lines);
    }
}
