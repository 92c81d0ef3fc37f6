package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.CpuBackend;
import io.gradquant.data.DataLocator;
import io.gradquant.data.DatasetKind;
import io.gradquant.data.FashionMnist;
import io.gradquant.data.ImageDataset;
import io.gradquant.data.Normalization;
import io.gradquant.harness.LearnableFashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End to end on generated Fashion-MNIST files: locate, load, batch, train an MLP with every
 * quantizer through the listener, and check that the loss falls.
 */
class TrainingSmokeTest {
    private static final int IMAGES = 256;
    private static final int BATCH = 32;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writeData() throws IOException {
        LearnableFashionMnist.write(dir, IMAGES, IMAGES);
    }

    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void lossFallsWithEveryQuantizer(QuantizerType type) throws Exception {
        Path found = new DataLocator(null, false).locate(DatasetKind.FASHION_MNIST, dir).dir();
        ImageDataset train = ImageDataset.builder(FashionMnist.train(found))
                .normalization(Normalization.FASHION_MNIST).setSampling(BATCH, true).build();
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(512).levels(8).build();
        QuantizingListener listener = new QuantizingListener(new Quantizer(spec, new CpuBackend(1)));
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f).build())
                .addTrainingListeners(listener);
        try (Model model = Model.newInstance("smoke")) {
            model.setBlock(Models.mlp(10, 64));
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(BATCH, 1, 28, 28));
                float before = meanLoss(trainer, train);
                for (int epoch = 0; epoch < 3; epoch++) {
                    for (Batch batch : trainer.iterateDataset(train)) {
                        EasyTrain.trainBatch(trainer, batch);
                        trainer.step();
                        batch.close();
                    }
                }
                float after = meanLoss(trainer, train);
                assertEquals(3L * IMAGES / BATCH, listener.totals().steps());
                assertTrue(after < 0.1f * before, type + ": loss " + before + " -> " + after);
            }
        }
    }

    private static float meanLoss(Trainer trainer, ImageDataset data) throws Exception {
        float sum = 0;
        int batches = 0;
        for (Batch batch : trainer.iterateDataset(data)) {
            NDList predictions = trainer.evaluate(batch.getData());
            try (NDArray loss = trainer.getLoss().evaluate(batch.getLabels(), predictions)) {
                sum += loss.getFloat();
            }
            batches++;
            batch.close();
        }
        return sum / batches;
    }
}
