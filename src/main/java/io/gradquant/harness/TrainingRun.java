package io.gradquant.harness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.TranslateException;
import io.gradquant.Quantizer;
import io.gradquant.data.ImageDataset;
import io.gradquant.train.QuantTotals;
import io.gradquant.train.QuantizingListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains one quantizer from the experiment's initial parameters for the recipe's epochs: each step
 * runs forward and backward ({@code EasyTrain.trainBatch}), the listeners (loss, then the
 * quantizer, in place on the gradients), and the SGD step; after each epoch the test set is
 * evaluated and the epoch handed to the sink. A non-finite loss stops the run before its step.
 */
public final class TrainingRun {
    /** Receives each finished epoch (to print it and write it to disk as it happens). */
    @FunctionalInterface
    public interface EpochSink {
        void accept(String quantizer, EpochMetrics epoch) throws IOException;
    }

    private final Experiment experiment;
    private final boolean progress;

    /** @param progress whether to show a progress bar per epoch */
    public TrainingRun(Experiment experiment, boolean progress) {
        this.experiment = experiment;
        this.progress = progress;
    }

    /**
     * Trains with {@code quantizer} (its step counter counts the run's steps).
     *
     * @throws NonFiniteLossException naming the step and the quantizer, after the sink got the finished epochs
     */
    public RunResult train(Quantizer quantizer, EpochSink sink) throws IOException, TranslateException {
        String name = quantizer.spec().type().cliName();
        Recipe recipe = experiment.recipe();
        EpochLearningRate lr = new EpochLearningRate(recipe);
        LossRecorder loss = new LossRecorder();
        QuantizingListener quantizing = new QuantizingListener(quantizer);
        EpochShuffleSampler sampler = experiment.newSampler();
        ImageDataset train = experiment.data().trainSet(sampler, recipe.seed());
        ImageDataset test = experiment.data().testSet();
        int stepsPerEpoch = sampler.batchesPerEpoch(train.size());
        List<EpochMetrics> epochs = new ArrayList<>();
        long step = 0;
        try (Experiment.Session session = experiment.open("train-" + name, lr, loss, quantizing)) {
            Trainer trainer = session.trainer();
            for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
                float rate = lr.startEpoch(epoch);
                sampler.setEpoch(epoch);
                quantizing.resetTotals();
                ProgressBars bar = ProgressBars.start(progress,
                        name + " " + (epoch + 1) + "/" + recipe.epochs(), stepsPerEpoch);
                double lossSum = 0;
                long steps = 0;
                long start = System.nanoTime();
                for (Batch batch : trainer.iterateDataset(train)) {
                    try (batch) {
                        EasyTrain.trainBatch(trainer, batch);
                        step++;
                        float value = loss.last();
                        if (!Float.isFinite(value)) {
                            throw new NonFiniteLossException("training with quantizer " + name, step, epoch + 1, value);
                        }
                        trainer.step();
                        lossSum += value;
                        steps++;
                        bar.step(steps, String.format("loss %.4f", value));
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                QuantTotals totals = quantizing.resetTotals();
                EpochMetrics metrics = new EpochMetrics(epoch + 1, Double.parseDouble(Float.toString(rate)), steps, lossSum / Math.max(1, steps),
                        accuracy(trainer, test), seconds, totals.seconds(), totals.averageVariance(),
                        totals.averageNormalizedVariance());
                epochs.add(metrics);
                sink.accept(name, metrics);
            }
        }
        return new RunResult(name, epochs);
    }

    /** Fraction of the test set whose highest-scoring class is its label. */
    static double accuracy(Trainer trainer, ImageDataset test) throws IOException, TranslateException {
        long correct = 0;
        long total = 0;
        for (Batch batch : trainer.iterateDataset(test)) {
            try (batch;
                    NDArray predicted = trainer.evaluate(batch.getData()).singletonOrThrow().argMax(1);
                    NDArray labels = batch.getLabels().singletonOrThrow().toType(predicted.getDataType(), false);
                    NDArray hits = predicted.eq(labels).sum()) {
                correct += hits.toType(DataType.INT64, false).getLong();
                total += batch.getSize();
            }
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
