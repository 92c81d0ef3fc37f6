package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.CpuBackend;
import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The listener's contract, checked through a real DJL training step: after one plain SGD step
 * (no momentum, no weight decay) every weight equals w - lr * Q(g), where Q(g) is computed
 * independently by the java backend on a copy of the same gradients in model order.
 */
class QuantizingListenerTest {
    private static final float LR = TinyTraining.LR;
    private static final int BATCH = TinyTraining.BATCH;

    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void sgdStepAppliesTheQuantizedGradientOfAnMlp(QuantizerType type) throws Exception {
        // 10 -> 12 -> 8 -> 3: 263 gradient values in 6 tensors; buckets of 64 span tensor boundaries.
        checkOneStep(type, Models.mlp(3, 12, 8), new Shape(BATCH, 10), GradientAccess.VIEWS);
    }

    /** The same contract through the address path that GPU training uses, here on CPU memory. */
    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void sgdStepThroughGradientAddressesAppliesTheQuantizedGradient(QuantizerType type) throws Exception {
        checkOneStep(type, Models.mlp(3, 12, 8), new Shape(BATCH, 10), GradientAccess.ADDRESSES);
        checkOneStep(type, convNet(), new Shape(BATCH, 1, 6, 6), GradientAccess.ADDRESSES);
    }

    @Test
    void addressPathRefusesABackendWithoutAddresses() throws Exception {
        Quantizer quantizer = new Quantizer(QuantizerSpec.builder(QuantizerType.STANDARD).build(), new JavaBackend());
        QuantizingListener listener = new QuantizingListener(quantizer, GradientAccess.ADDRESSES);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addTrainingListeners(listener);
        try (Model model = Model.newInstance("no-address");
                NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(Models.mlp(3));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, 10));
                ArrayDataset data = new ArrayDataset.Builder().setData(manager.randomNormal(new Shape(BATCH, 10)))
                        .optLabels(manager.create(new float[] {0, 1, 2, 1})).setSampling(BATCH, false).build();
                Batch batch = trainer.iterateDataset(data).iterator().next();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> EasyTrain.trainBatch(trainer, batch));
                assertEquals("gradients on cpu() are handed over by address, which backend java cannot take: use cpu",
                        e.getMessage());
                batch.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void sgdStepAppliesTheQuantizedGradientOfAConvNetWithBatchNorm(QuantizerType type) throws Exception {
        checkOneStep(type, convNet(), new Shape(BATCH, 1, 6, 6), GradientAccess.VIEWS);
    }

    /** Batch norm's running mean and variance need no gradient and must be skipped. */
    private static Block convNet() {
        return new SequentialBlock()
                .add(Conv2d.builder().setFilters(4).setKernelShape(new Shape(3, 3)).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(3).build());
    }

    private static void checkOneStep(QuantizerType type, Block block, Shape inputShape, GradientAccess access)
            throws Exception {
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(64).levels(4).seed(42).build();
        Quantizer quantizer = new Quantizer(spec, new CpuBackend(1));
        GradientCapture before = new GradientCapture();
        QuantizingListener listener = new QuantizingListener(quantizer, access);
        GradientCapture after = new GradientCapture();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(LR)).build())
                .addTrainingListeners(before, listener, after);

        try (Model model = Model.newInstance("one-step");
                NDManager manager = NDManager.newBaseManager()) {
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(inputShape);
                NDArray x = manager.randomNormal(inputShape);
                NDArray y = manager.create(new float[] {0, 1, 2, 1});
                ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y)
                        .setSampling(BATCH, false).build();
                List<float[]> weights = TinyTraining.trainableValues(block);

                Batch batch = trainer.iterateDataset(data).iterator().next();
                EasyTrain.trainBatch(trainer, batch);
                trainer.step();
                batch.close();

                // Q(g) by the reference backend, on copies, as one list in model order, step 0.
                List<float[]> expectedGradient = copy(before.gradients);
                QuantStats reference = new JavaBackend().quantize(spec, 0,
                        Segments.ofArrays(expectedGradient.toArray(new float[0][])));
                List<float[]> updated = TinyTraining.trainableValues(block);
                boolean changedByQuantization = false;
                for (int t = 0; t < weights.size(); t++) {
                    float[] w = weights.get(t);
                    float[] q = expectedGradient.get(t);
                    float[] g = before.gradients.get(t);
                    for (int i = 0; i < w.length; i++) {
                        // DJL's PyTorch SGD computes grad * lr, then weight - that, as two correctly rounded
                        // float32 operations: the same as this line, so no tolerance is needed.
                        float expected = w[i] - q[i] * LR;
                        assertEquals(expected, updated.get(t)[i], 0f,
                                type + ": tensor " + t + " element " + i);
                        changedByQuantization |= q[i] != g[i];
                    }
                }
                assertEquals(type != QuantizerType.NONE, changedByQuantization,
                        "quantization must change some gradient values (and none must change nothing)");

                // The listener left Q(g) in the gradient memory itself, bit for bit.
                for (int t = 0; t < expectedGradient.size(); t++) {
                    assertArrayEquals(expectedGradient.get(t), after.gradients.get(t), "tensor " + t);
                }

                assertEquals(1, quantizer.nextStep(), "one quantization per batch");
                assertEquals(reference.variance(), listener.lastStats().variance(), 1e-9 * (1 + reference.variance()));
                assertEquals(1, listener.totals().steps());
            }
        }
    }

    @Test
    void sameSeedAndDataRepeatExactly() throws Exception {
        float[] first = weightsAfterThreeSteps(7);
        assertArrayEquals(first, weightsAfterThreeSteps(7));
        assertFalse(Arrays.equals(first, weightsAfterThreeSteps(8)), "the quantizer's seed must matter");
    }

    /** All weights of an MLP, initialised from DJL seed 1, after three quantized SGD steps on one batch. */
    private static float[] weightsAfterThreeSteps(long quantizerSeed) throws Exception {
        Quantizer quantizer = new Quantizer(
                QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(64).levels(4).seed(quantizerSeed).build(),
                new CpuBackend(1));
        float[] weights = TinyTraining.weightsAfterThreeSteps(new QuantizingListener(quantizer));
        assertEquals(3, quantizer.nextStep(), "the step counter advances once per batch");
        return weights;
    }

    private static List<float[]> copy(List<float[]> arrays) {
        List<float[]> out = new ArrayList<>();
        arrays.forEach(a -> out.add(a.clone()));
        return out;
    }

    /** Copies every trainable parameter's gradient, in model order, when the batch is done. */
    private static final class GradientCapture extends TrainingListenerAdapter {
        final List<float[]> gradients = new ArrayList<>();

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            gradients.clear();
            for (Parameter p : trainer.getModel().getBlock().getParameters().values()) {
                if (p.requiresGradient()) {
                    try (NDArray g = p.getArray().getGradient()) {
                        gradients.add(g.toFloatArray());
                    }
                }
            }
            assertTrue(gradients.stream().anyMatch(g -> g.length > 0));
        }
    }
}
