package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import io.gradquant.backend.CpuBackend;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.GradientExchange;
import io.gradquant.distributed.LocalWorld;
import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The listener's two ways of handing gradients to the exchange, in a world of one rank: the
 * address path that GPU training uses (here on CPU memory, with the cpu backend) trains exactly as
 * the zero-copy views do, with compressed tensors and tensors small enough to travel as float32.
 */
class ExchangingListenerTest {
    private static final int BATCH = 4;

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
        Engine.getInstance().setRandomSeed(1);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
        ExchangingListener listener = null;
        if (backend != null) {
            QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(64).levels(4).seed(3).build();
            // the biases (12, 8 and 3 values) travel as float32, the weights compressed
            GradientExchange exchange = GradientExchange.builder(new LocalWorld(), backend, spec)
                    .collective(Collective.ALLGATHER).minQuantizedSize(20).build();
            listener = new ExchangingListener(exchange, access);
            config.addTrainingListeners(listener);
        }
        Block block = Models.mlp(3, 12, 8);
        try (Model model = Model.newInstance("exchange");
                NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, 10));
                ArrayDataset data = new ArrayDataset.Builder().setData(manager.randomNormal(new Shape(BATCH, 10)))
                        .optLabels(manager.create(new float[] {0, 1, 2, 1})).setSampling(BATCH, false).build();
                for (int step = 0; step < 3; step++) {
                    for (Batch batch : trainer.iterateDataset(data)) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                    }
                }
                if (listener != null) {
                    assertEquals(3, listener.nextStep(), "one exchange per batch");
                }
                List<Float> all = new ArrayList<>();
                for (Parameter p : block.getParameters().values()) {
                    if (p.requiresGradient()) {
                        for (float v : p.getArray().toFloatArray()) {
                            all.add(v);
                        }
                    }
                }
                float[] out = new float[all.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = all.get(i);
                }
                return out;
            } finally {
                if (backend != null) {
                    backend.close();
                }
            }
        }
    }
}
