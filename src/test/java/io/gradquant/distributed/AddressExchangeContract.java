package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.TestData;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.RawSegments;
import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exchange's address path (gradients given by address in an {@link AddressBackend}'s memory,
 * as GPU training gives them) against its host path (Segments, on the java backend, the
 * reference): the same ranks, gradients, steps and options give bit-identical averages on every
 * rank and the same message sizes and traffic, for allgather (every quantizer; with small
 * segments travelling as float32, and without) and allreduce, on 2 and 3 ranks of a
 * {@link LocalWorld}. Subclasses give the backend and its memory.
 */
abstract class AddressExchangeContract {
    /** Two compressed segments, one empty, two below the default layer filter. */
    static final int[] LENGTHS = {3000, 100, 0, 1500, 7};
    static final int STEPS = 2;

    /** A new backend for one rank (called on the rank's thread; closed by the test). */
    abstract AddressBackend backend();

    /** Memory of {@link #backend()}'s kind for segments of these lengths. */
    abstract RawSegments allocate(int... lengths);

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            if (type != QuantizerType.NONE) {
                cases.add(Arguments.of(Collective.ALLGATHER, type, GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE, 3));
            }
        }
        cases.add(Arguments.of(Collective.ALLGATHER, QuantizerType.NONE, GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE, 2));
        cases.add(Arguments.of(Collective.ALLGATHER, QuantizerType.STANDARD, 0, 2));
        cases.add(Arguments.of(Collective.ALLREDUCE, QuantizerType.NONE, GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE, 2));
        cases.add(Arguments.of(Collective.ALLREDUCE, QuantizerType.NONE, GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE, 3));
        return cases.stream();
    }

    /** What one rank saw: its averaged gradient and statistics after each step. */
    private record Rank(float[][] values, ExchangeStats[] stats) {
    }

    @ParameterizedTest(name = "{0} {1} min {2} on {3} ranks")
    @MethodSource("cases")
    void addressPathEqualsHostPathBitForBit(Collective collective, QuantizerType type, int minQuantizedSize, int ranks)
            throws Exception {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(256).levels(8).seed(13).build();
        List<Rank> host = LocalWorld.run(ranks, world -> {
            GradientExchange exchange = GradientExchange.builder(world, new JavaBackend(), spec).collective(collective)
                    .minQuantizedSize(minQuantizedSize).build();
            Rank seen = new Rank(new float[STEPS][], new ExchangeStats[STEPS]);
            for (int step = 0; step < STEPS; step++) {
                float[] x = gradient(world.rank(), step);
                Segments segments = TestData.directSegments(x, LENGTHS);
                seen.stats[step] = exchange.average(step, segments);
                seen.values[step] = TestData.flatten(segments);
            }
            return seen;
        });
        List<Rank> addressed = LocalWorld.run(ranks, world -> {
            try (AddressBackend backend = backend(); RawSegments memory = allocate(LENGTHS)) {
                GradientExchange exchange = GradientExchange.builder(world, backend, spec).collective(collective)
                        .minQuantizedSize(minQuantizedSize).build();
                Rank seen = new Rank(new float[STEPS][], new ExchangeStats[STEPS]);
                for (int step = 0; step < STEPS; step++) {
                    memory.write(gradient(world.rank(), step));
                    seen.stats[step] = exchange.average(step, memory.addresses, memory.lengths);
                    seen.values[step] = memory.read();
                }
                return seen;
            }
        });
        for (int r = 0; r < ranks; r++) {
            for (int step = 0; step < STEPS; step++) {
                String where = "rank " + r + ", step " + step;
                assertArrayEquals(TestData.bits(host.get(0).values[step]), TestData.bits(host.get(r).values[step]),
                        where + ": the ranks' averages differ");
                assertArrayEquals(TestData.bits(host.get(r).values[step]), TestData.bits(addressed.get(r).values[step]),
                        where + ": the address path's average differs from the host path's");
                assertFalse(Arrays.equals(gradient(r, step), addressed.get(r).values[step]),
                        where + ": the gradient was not averaged");
                ExchangeStats want = host.get(r).stats[step];
                ExchangeStats got = addressed.get(r).stats[step];
                assertEquals(want.bytesSent(), got.bytesSent(), where);
                assertEquals(want.messageBytes(), got.messageBytes(), where);
                assertEquals(want.float32Bytes(), got.float32Bytes(), where);
                QuantStats q = want.quantStats();
                if (q != null) {
                    assertEquals(q.variance(), got.quantStats().variance(), 1e-6 * (1 + q.variance()), where);
                    assertEquals(q.buckets(), got.quantStats().buckets(), where);
                }
            }
        }
    }

    private static float[] gradient(int rank, int step) {
        return TestData.gradientLike(Arrays.stream(LENGTHS).sum(), 100L * rank + step);
    }
}
