package io.gradquant.bench;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.bench.djl.DjlQuantizer;
import io.gradquant.bench.djl.DjlRace;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Runs a benchmark: warm-up rounds, then timed rounds, each round running every operation once
 * (the copy baseline, each quantizer, its encode and decode, each DJL composition, each quantizer
 * on the small input) on the next input slot of the ring,
 * so the baseline and the quantizers see the same machine state, interleaved rather than one after
 * the other. Each round runs them in a fresh random order, so that no operation always follows the
 * same one: after a DJL composition PyTorch's OpenMP threads spin for a while, and whichever
 * operation came next every time would pay for it. Figures are medians over the timed rounds.
 */
public final class BenchRunner {
    private final BenchConfig config;
    private final Consumer<String> progress;

    /** @param progress receives a line now and then (the command line prints them on stderr) */
    public BenchRunner(BenchConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /** One timed operation: {@code body} runs on a slot, {@code after} (untimed) cleans up after it. */
    private record Op(IntConsumer body, IntConsumer after) {
    }

    /**
     * Runs the benchmark.
     *
     * @throws IllegalArgumentException if a quantizer's spec is invalid (e.g. exponential with 2 levels)
     * @throws IllegalStateException    if the backend cannot be used here
     */
    public BenchRun run() {
        List<QuantizerSpec> specs = config.specs();
        String loadBefore = Machine.loadAverage();
        int slots = SlotRing.slotsFor(config.elements());
        FloatBuffer[] pristine = SlotRing.pristine(slots, config.elements(), config.seed());
        BenchTargets.Choice choice = BenchTargets.create(config.backend(), config.threads(), pristine);
        if (config.backend().equals("auto")) {
            progress.accept(choice.reason());
        }
        try (BenchTarget target = choice.target()) {
            DjlRace race = null;
            String djlNote;
            if (!config.djlOps()) {
                djlNote = "not run (--no-djl-ops)";
            } else {
                try {
                    race = new DjlRace(target.djlDevice(), target.threads(), pristine, config.bucketSize(), config.levels());
                    djlNote = "PyTorch " + race.threads() + " intra-op thread(s), same inputs, same device";
                } catch (RuntimeException | LinkageError e) {
                    // only the first line: PyTorch's messages can run to pages
                    djlNote = "not run: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
                    progress.accept("DJL NDArray compositions " + djlNote);
                }
            }
            try {
                return measure(target, race, specs, slots, djlNote, loadBefore);
            } finally {
                if (race != null) {
                    race.close();
                }
            }
        }
    }

    private BenchRun measure(BenchTarget target, DjlRace race, List<QuantizerSpec> specs, int slots, String djlNote,
            String loadBefore) {
        IntConsumer nothing = slot -> { };
        long[] step = {0};
        List<Op> ops = new ArrayList<>();
        ops.add(new Op(target::copy, nothing));
        int[] djlOp = new int[specs.size()];
        for (QuantizerSpec spec : specs) {
            ops.add(new Op(slot -> target.quantize(spec, step[0]++, slot), target::restore));
        }
        int[] encodeOp = new int[specs.size()];
        int[] decodeOp = new int[specs.size()];
        ByteBuffer scratch = ByteBuffer.allocateDirect((int) maxMessageBytes(specs));
        ByteBuffer[][] messages = messages(target, specs, slots, scratch);
        for (int q = 0; q < specs.size(); q++) {
            QuantizerSpec spec = specs.get(q);
            ByteBuffer[] mine = messages[q];
            encodeOp[q] = ops.size();
            ops.add(new Op(slot -> target.encode(spec, step[0]++, slot, scratch.clear()), nothing));
            decodeOp[q] = ops.size();
            ops.add(new Op(slot -> target.decode(mine[slot], slot), target::restore));
        }
        for (int q = 0; q < specs.size(); q++) {
            DjlQuantizer composition = race == null ? null : race.composition(specs.get(q));
            djlOp[q] = -1;
            if (composition != null) {
                djlOp[q] = ops.size();
                DjlRace r = race;
                ops.add(new Op(slot -> r.run(composition, slot), nothing));
            }
        }
        if (config.smallElements() <= 0 || config.smallElements() >= config.elements()) {
            return report(target, specs, time(ops, slots), new int[][] {djlOp, encodeOp, decodeOp}, slots, djlNote,
                    loadBefore, null);
        }
        progress.accept("small input: " + config.smallElements() + " values");
        int smallSlots = SlotRing.slotsFor(config.smallElements());
        FloatBuffer[] smallPristine = SlotRing.pristine(smallSlots, config.smallElements(), config.seed());
        try (BenchTarget small = BenchTargets.create(target.backend(), config.threads(), smallPristine).target()) {
            int firstSmall = ops.size();
            // the small input's own ring: its call count picks the slot, not the large ring's slot
            long[] smallCalls = {0};
            int[] smallSlot = {0};
            for (QuantizerSpec spec : specs) {
                ops.add(new Op(slot -> {
                    smallSlot[0] = (int) (smallCalls[0]++ % smallSlots);
                    small.quantize(spec, step[0]++, smallSlot[0]);
                }, slot -> small.restore(smallSlot[0])));
            }
            double[][] samples = time(ops, slots);
            return report(target, specs, samples, new int[][] {djlOp, encodeOp, decodeOp}, slots, djlNote, loadBefore,
                    smallInput(specs, samples, firstSmall));
        }
    }

    /**
     * Runs every op once per round, in a fresh random order each round, each on the next slot of
     * the ring; returns each op's seconds in the timed rounds.
     */
    private double[][] time(List<Op> ops, int slots) {
        int rounds = config.warmup() + config.repeats();
        double[][] samples = new double[ops.size()][config.repeats()];
        long next = 0;
        Random shuffle = new Random(config.seed());
        List<Integer> order = new ArrayList<>();
        for (int o = 0; o < ops.size(); o++) {
            order.add(o);
        }
        for (int round = 0; round < rounds; round++) {
            progress.accept((round < config.warmup() ? "warm-up" : "timed") + " round " + (round + 1) + "/" + rounds);
            Collections.shuffle(order, shuffle);
            for (int o : order) {
                int slot = (int) (next++ % slots);
                long start = System.nanoTime();
                ops.get(o).body().accept(slot);
                // a timer tick of 0 ns would make a throughput infinite
                long nanos = Math.max(1, System.nanoTime() - start);
                ops.get(o).after().accept(slot);
                if (round >= config.warmup()) {
                    samples[o][round - config.warmup()] = nanos / 1e9;
                }
            }
        }
        return samples;
    }

    /**
     * The quantizers on the small input ({@link BenchConfig#smallElements()} values, one ResNet-20
     * gradient by default), whose ops {@code firstSmall}, ... ran in the same rounds as the large
     * input's, on a second target of the same backend: what a call costs when its fixed costs are
     * not hidden by a large input. In the same rounds, so that a slow stretch of the machine weighs
     * on both sides of the per-value ratio alike.
     */
    private BenchReport.SmallInput smallInput(List<QuantizerSpec> specs, double[][] samples, int firstSmall) {
        List<BenchReport.SmallResult> results = new ArrayList<>();
        for (int q = 0; q < specs.size(); q++) {
            double seconds = Median.of(samples[firstSmall + q]);
            double largePerValue = Median.of(samples[1 + q]) / config.elements();
            results.add(new BenchReport.SmallResult(specs.get(q).type().cliName(), seconds,
                    seconds / config.smallElements() / largePerValue));
        }
        return new BenchReport.SmallInput(config.smallElements(), results);
    }

    /**
     * The message of every quantizer's step 0 for every slot, encoded untimed (through
     * {@code scratch}, large enough for any of them) for the timed decodes.
     */
    private static ByteBuffer[][] messages(BenchTarget target, List<QuantizerSpec> specs, int slots, ByteBuffer scratch) {
        ByteBuffer[][] messages = new ByteBuffer[specs.size()][slots];
        for (int q = 0; q < specs.size(); q++) {
            for (int slot = 0; slot < slots; slot++) {
                target.encode(specs.get(q), 0, slot, scratch.clear());
                ByteBuffer m = ByteBuffer.allocateDirect(scratch.flip().remaining());
                messages[q][slot] = m.put(scratch).flip();
            }
        }
        return messages;
    }

    private long maxMessageBytes(List<QuantizerSpec> specs) {
        long max = 0;
        for (QuantizerSpec spec : specs) {
            max = Math.max(max, WireFormat.maxEncodedBytes(spec, new long[] {config.elements()}));
        }
        return max;
    }

    /** @param opsOf the DJL (-1 where there is none), encode and decode op of each quantizer */
    private BenchRun report(BenchTarget target, List<QuantizerSpec> specs, double[][] samples, int[][] opsOf, int slots,
            String djlNote, String loadBefore, BenchReport.SmallInput small) {
        int[] djlOp = opsOf[0];
        double bytes = 8.0 * config.elements();
        double copySeconds = Median.of(samples[0]);
        double copyGbps = bytes / copySeconds / 1e9;
        List<BenchReport.Result> results = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        List<Double> djlSeconds = new ArrayList<>();
        for (int q = 0; q < specs.size(); q++) {
            double s = Median.of(samples[1 + q]);
            Double djl = djlOp[q] < 0 ? null : Median.of(samples[djlOp[q]]);
            double gbps = bytes / s / 1e9;
            double encode = Median.of(samples[opsOf[1][q]]);
            double decode = Median.of(samples[opsOf[2][q]]);
            double floatBytes = 4.0 * config.elements();
            results.add(new BenchReport.Result(specs.get(q).type().cliName(), gbps, config.elements() / s,
                    gbps / copyGbps, djl == null ? null : djl / s, floatBytes / encode / 1e9, copySeconds / encode,
                    floatBytes / decode / 1e9, copySeconds / decode));
            seconds.add(s);
            djlSeconds.add(djl);
        }
        BenchReport report = new BenchReport(Machine.describe(target.detail()), target.backend(), config.elements(),
                config.bucketSize(), target.threads(), copyGbps, results, small);
        return new BenchRun(report, target.copyBaseline(), copySeconds, seconds, djlSeconds, djlNote, slots,
                loadBefore, Machine.loadAverage());
    }
}
