package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.CpuBackend;
import io.gradquant.reference.JavaBackend;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The exchange's checks and its float32 path, in a world of one rank (no MPI). */
class GradientExchangeTest {
    private static QuantizerSpec spec(QuantizerType type) {
        return QuantizerSpec.builder(type).build();
    }

    @Test
    void allreduceRefusesAQuantizer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientExchange
                .builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.STANDARD))
                .collective(Collective.ALLREDUCE).build());
        assertTrue(e.getMessage().contains("allreduce") && e.getMessage().contains("standard"), e.getMessage());
    }

    @Test
    void negativeMinQuantizedSizeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradientExchange
                .builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.NONE)).minQuantizedSize(-1).build());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void oneRankFloat32AverageIsTheGradient() {
        GradientExchange exchange = GradientExchange.builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.NONE))
                .collective(Collective.ALLREDUCE).build();
        float[] a = {1.5f, -2f, 3.25f};
        float[] b = {7f};
        FloatBuffer fa = Segments.directCopy(a);
        FloatBuffer fb = Segments.directCopy(b);
        ExchangeStats stats = exchange.average(0, Segments.of(fa, fb));
        float[] outA = new float[3];
        fa.get(0, outA);
        assertArrayEquals(a, outA);
        assertEquals(7f, fb.get(0));
        assertEquals(16, stats.messageBytes());
        assertEquals(16, stats.float32Bytes());
        assertEquals(0, stats.bytesSent());
    }

    /**
     * One rank: allgather decodes its own message (weight 1), reduce-scatter compresses its own
     * chunk, the whole gradient, once as the average; both equal in-place quantize with the seed the
     * message was keyed by. Small tensors stay exact.
     */
    @ParameterizedTest
    @EnumSource(value = Collective.class, names = {"ALLGATHER", "REDUCE_SCATTER"})
    void oneRankGetsExactlyTheQuantizedGradient(Collective collective) {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(64).seed(5).build();
        float[] large = new float[1000];
        float[] small = {0.25f, -1.5f};
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < large.length; i++) {
            large[i] = (float) random.nextGaussian();
        }
        FloatBuffer fl = Segments.directCopy(large);
        FloatBuffer fs = Segments.directCopy(small);
        GradientExchange exchange = GradientExchange.builder(new LocalWorld(), new JavaBackend(), spec)
                .collective(collective).minQuantizedSize(100).build();
        ExchangeStats stats = exchange.average(9, Segments.of(fl, fs));

        int phase = collective == Collective.ALLGATHER ? RankSeeds.GRADIENT : RankSeeds.REDUCED;
        float[] want = large.clone();
        new JavaBackend().quantize(spec.toBuilder().seed(RankSeeds.of(5, 0, phase, 0)).build(), 9, Segments.ofArrays(want));
        float[] got = new float[large.length];
        fl.get(0, got);
        assertArrayEquals(want, got);
        assertEquals(small[0], fs.get(0));
        assertEquals(small[1], fs.get(1));
        assertEquals(1000 * 4 + 2 * 4, stats.float32Bytes());
        assertTrue(stats.compressionRatio() > 3, "ratio " + stats.compressionRatio());
    }

    @Test
    void lengthsMustStayTheSame() {
        GradientExchange exchange = GradientExchange.builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.NONE))
                .collective(Collective.ALLREDUCE).build();
        exchange.average(0, Segments.of(Segments.directCopy(new float[4])));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> exchange.average(1, Segments.of(Segments.directCopy(new float[5]))));
        assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    /** Reduce-scatter and error feedback work on host buffers; a backend without addresses cannot take any. */
    @Test
    void addressPathRefusesWhatNeedsHostBuffersBeforeAnyExchange() {
        long[] none = {};
        GradientExchange reduceScatter = GradientExchange.builder(new LocalWorld(), new CpuBackend(1),
                spec(QuantizerType.STANDARD)).collective(Collective.REDUCE_SCATTER).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> reduceScatter.average(0, none, none));
        assertTrue(e.getMessage().contains("collective reduce-scatter"), e.getMessage());
        GradientExchange feedback = GradientExchange.builder(new LocalWorld(), new CpuBackend(1),
                spec(QuantizerType.STANDARD)).errorFeedback(true).build();
        e = assertThrows(IllegalStateException.class, () -> feedback.average(0, none, none));
        assertTrue(e.getMessage().contains("with error feedback"), e.getMessage());
        GradientExchange java = GradientExchange.builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.NONE))
                .collective(Collective.ALLREDUCE).build();
        e = assertThrows(IllegalStateException.class, () -> java.average(0, none, none));
        assertTrue(e.getMessage().startsWith("backend java takes no memory addresses"), e.getMessage());
    }

    @Test
    void configurationNamesTheExchangeFields() {
        GradientExchange exchange = GradientExchange.builder(new LocalWorld(), new JavaBackend(), spec(QuantizerType.SMART))
                .collective(Collective.REDUCE_SCATTER).errorFeedback(true).minQuantizedSize(10).build();
        assertEquals("reduce-scatter", exchange.configuration().get("collective"));
        assertEquals("true", exchange.configuration().get("error feedback"));
        assertEquals("10", exchange.configuration().get("min quantized size"));
        assertTrue(exchange.configuration().get("quantizer").startsWith("smart("));
    }
}
