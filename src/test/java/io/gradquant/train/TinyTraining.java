package io.gradquant.train;

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
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;

/** The short, deterministic DJL training run the listener tests compare their listeners on. */
final class TinyTraining {
    /** The learning rate of the plain SGD steps. */
    static final float LR = 0.5f;
    /** Rows of the one batch. */
    static final int BATCH = 4;

    private TinyTraining() {
    }

    /**
     * All trainable weights, in model order, of {@code Models.mlp(3, 12, 8)} initialised from DJL
     * seed 1 after three plain SGD steps on one random batch of {@link #BATCH} rows of 10 values,
     * with {@code listener} attached (null: none).
     */
    static float[] weightsAfterThreeSteps(TrainingListener listener) throws Exception {
        Engine.getInstance().setRandomSeed(1);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(LR)).build());
        if (listener != null) {
            config.addTrainingListeners(listener);
        }
        Block block = Models.mlp(3, 12, 8);
        try (Model model = Model.newInstance("three-steps");
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
                List<float[]> values = trainableValues(block);
                float[] all = new float[values.stream().mapToInt(v -> v.length).sum()];
                int at = 0;
                for (float[] v : values) {
                    System.arraycopy(v, 0, all, at, v.length);
                    at += v.length;
                }
                return all;
            }
        }
    }

    /** Values of the parameters that get gradients, in model order. */
    static List<float[]> trainableValues(Block block) {
        List<float[]> values = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                values.add(p.getArray().toFloatArray());
            }
        }
        return values;
    }
}
