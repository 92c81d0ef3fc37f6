package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import io.gradquant.backend.CpuBackend;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.GradientExchange;
import io.gradquant.distributed.LocalWorld;
import io.gradquant.reference.JavaBackend;
import org.junit.jupiter.api.Test;

/**
 * The listener's two ways of handing gradients to the exchange, in a world of one rank: the
 * address path that GPU training uses (here on CPU memory, with the cpu backend) trains exactly as
 * the zero-copy views do, with compressed tensors and tensors small enough to travel as float32.
 */
class ExchangingListenerTest {
    @Test
    void addressPathTrainsExactlyAsTheViews() throws Exception {
        float[] views = weightsAfterThreeSteps(GradientAccess.VIEWS, new CpuBackend(1));
        assertArrayEquals(views, weightsAfterThreeSteps(GradientAccess.ADDRESSES, new CpuBackend(1)));
        assertFalse(java.util.Arrays.equals(views, weightsAfterThreeSteps(GradientAccess.VIEWS, null)),
                "the exchange must change the gradients (one rank: to their quantized values)");
    }

    @Test
    void addressPathRefusesABackendWithoutAddresses() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> weightsAfterThreeSteps(GradientAccess.ADDRESSES, new JavaBackend()));
        assertEquals("gradients on cpu() are handed over by address, which backend java cannot take: use cpu",
                e.getMessage());
    }

    /**
     * All weights of an MLP initialised from DJL seed 1 after three SGD steps on one batch, the
     * gradients averaged through an allgather exchange on {@code backend} (null: no exchange).
     */
    private static float[] weightsAfterThreeSteps(GradientAccess access, Backend backend) throws Exception {
        if (backend == null) {
            return TinyTraining.weightsAfterThreeSteps(null);
        }
        try {
            QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(64).levels(4).seed(3).build();
            // the biases (12, 8 and 3 values) travel as float32, the weights compressed
            GradientExchange exchange = GradientExchange.builder(new LocalWorld(), backend, spec)
                    .collective(Collective.ALLGATHER).minQuantizedSize(20).build();
            ExchangingListener listener = new ExchangingListener(exchange, access);
            float[] weights = TinyTraining.weightsAfterThreeSteps(listener);
            assertEquals(3, listener.nextStep(), "one exchange per batch");
            return weights;
        } finally {
            backend.close();
        }
    }
}
