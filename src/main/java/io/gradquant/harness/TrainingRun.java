package io.gradquant.harness;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.translate.TranslateException;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.data.ImageDataset;
import io.gradquant.distributed.ExchangeStats;
import io.gradquant.distributed.ExchangeTotals;
import io.gradquant.train.ExchangingListener;
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
 *
 * <p>Data-parallel ({@link Experiment#parallel()}): every rank trains on its slice of each global
 * batch, and instead of quantizing in place the gradients go through the exchange
 * ({@link ExchangingListener}), which leaves the same average on every rank. Then the ranks sum the
 * step's loss and quantization statistics in one small allreduce, so that every rank sees the mean
 * loss and stops on the same step if it is not finite. After each epoch batch norm's running
 * statistics are averaged over the ranks and each rank evaluates its share of the test set; at the
 * end every rank's parameter checksum is gathered. The sink is called on every rank (rank 0's job
 * writes, the others' ignore it).
 */
public final class TrainingRun {
    /** Receives each finished epoch (to print it and write it to disk as it happens). */
    @FunctionalInterface
    public interface EpochSink {
        void accept(String quantizer, EpochMetrics epoch) throws IOException;
    }

    /** Receives the trained model after the last epoch, before it is closed (to save it). */
    @FunctionalInterface
    public interface ModelSink {
        void accept(Model model) throws IOException;
    }

    private final Experiment experiment;
    private final boolean progress;

    /** @param progress whether to show a progress bar per epoch */
    public TrainingRun(Experiment experiment, boolean progress) {
        this.experiment = experiment;
        this.progress = progress;
    }

    /**
     * Trains with {@code quantizer} (its step counter counts the run's steps; data-parallel, its spec
     * and backend make the exchange's messages).
     *
     * @throws NonFiniteLossException naming the step and the quantizer, after the sink got the finished epochs
     */
    public RunResult train(Quantizer quantizer, EpochSink sink) throws IOException, TranslateException {
        return train(quantizer, sink, model -> { });
    }

    /** As {@link #train(Quantizer, EpochSink)}, handing the trained model to {@code last} at the end. */
    public RunResult train(Quantizer quantizer, EpochSink sink, ModelSink last) throws IOException, TranslateException {
        String name = quantizer.spec().type().cliName();
        Recipe recipe = experiment.recipe();
        DataParallel parallel = experiment.parallel();
        EpochLearningRate lr = new EpochLearningRate(recipe);
        LossRecorder loss = new LossRecorder();
        QuantizingListener quantizing = parallel == null ? new QuantizingListener(quantizer) : null;
        ExchangingListener exchanging = parallel == null ? null : new ExchangingListener(parallel.exchange(quantizer));
        TrainingListener gradients = parallel == null ? quantizing : exchanging;
        EpochShuffleSampler sampler = experiment.newSampler();
        ImageDataset train = experiment.data().trainSet(sampler, recipe.seed());
        ImageDataset test = parallel == null ? experiment.data().testSet()
                : experiment.data().testShare(parallel.rank(), parallel.size());
        int stepsPerEpoch = sampler.batchesPerEpoch(train.size());
        List<EpochMetrics> epochs = new ArrayList<>();
        long step = 0;
        try (Experiment.Session session = experiment.open("train-" + name, lr, loss, gradients)) {
            Trainer trainer = session.trainer();
            for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
                float rate = lr.startEpoch(epoch);
                sampler.setEpoch(epoch);
                if (quantizing != null) {
                    quantizing.resetTotals();
                }
                ProgressBars bar = ProgressBars.start(progress,
                        name + " " + (epoch + 1) + "/" + recipe.epochs(), stepsPerEpoch);
                double lossSum = 0;
                long steps = 0;
                StepAgreement agreed = new StepAgreement();
                long computeNanos = 0;
                long stepNanos = 0;
                long start = System.nanoTime();
                for (Batch batch : trainer.iterateDataset(train)) {
                    try (batch) {
                        long t0 = System.nanoTime();
                        EasyTrain.trainBatch(trainer, batch);
                        computeNanos += System.nanoTime() - t0;
                        step++;
                        float value = parallel == null ? loss.last() : agreed.add(parallel, loss.last(), exchanging.last());
                        if (!Float.isFinite(value)) {
                            throw new NonFiniteLossException("training with quantizer " + name, step, epoch + 1, value);
                        }
                        long t1 = System.nanoTime();
                        trainer.step();
                        stepNanos += System.nanoTime() - t1;
                        lossSum += value;
                        steps++;
                        bar.step(steps, String.format("loss %.4f", value));
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                EpochMetrics metrics;
                if (parallel == null) {
                    QuantTotals totals = quantizing.resetTotals();
                    metrics = new EpochMetrics(epoch + 1, decimal(rate), steps, lossSum / Math.max(1, steps),
                            accuracy(trainer, test), seconds, totals.seconds(), totals.averageVariance(),
                            totals.averageNormalizedVariance());
                } else {
                    double inExchange = exchanging.resetSeconds();
                    ExchangeTotals totals = exchanging.resetTotals();
                    ExchangeMetrics exchange = ExchangeMetrics.of(parallel.size(),
                            parallel.collectiveFor(quantizer.spec().type()).cliName(), totals,
                            computeNanos / 1e9 - inExchange, agreed.seconds(), stepNanos / 1e9);
                    parallel.averageRunningStatistics(trainer.getModel().getBlock());
                    metrics = new EpochMetrics(epoch + 1, decimal(rate), steps, lossSum / Math.max(1, steps),
                            sharedAccuracy(parallel, trainer, test), seconds,
                            totals.encodeSeconds() + totals.decodeSeconds(), agreed.averageVariance(parallel.size()),
                            agreed.averageNormalizedVariance(), exchange);
                }
                epochs.add(metrics);
                sink.accept(name, metrics);
            }
            List<RankChecksum> ranks = parallel == null ? List.of() : parallel.checksums(trainer.getModel().getBlock());
            last.accept(session.model());
            return new RunResult(name, epochs, ranks);
        }
    }

    /** The double nearest the float's shortest decimal form: 0.1f is reported as 0.1, not 0.10000000149. */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    /**
     * What the ranks sum after each data-parallel step: the loss, and the variance and squared
     * norm of each rank's compression of its own gradient, in one float32 allreduce.
     */
    private static final class StepAgreement {
        private double variance;
        private double normalized;
        private long steps;
        private long nanos;

        /** Sums this rank's step with the others' and returns the mean loss over the ranks. */
        float add(DataParallel parallel, float loss, ExchangeStats exchange) {
            QuantStats stats = exchange == null ? null : exchange.quantStats();
            long start = System.nanoTime();
            float[] sums = parallel.sum(loss, stats == null ? 0f : (float) stats.variance(),
                    stats == null ? 0f : (float) stats.normSquared());
            nanos += System.nanoTime() - start;
            variance += sums[1];
            normalized += sums[2] == 0 ? 0 : (double) sums[1] / sums[2];
            steps++;
            return sums[0] / parallel.size();
        }

        /** Seconds spent in the allreduce. */
        double seconds() {
            return nanos / 1e9;
        }

        /**
         * Mean per step of the variance of the averaged gradient from the ranks' own compressions:
         * with independent rounding, the sum of their variances over workers squared.
         */
        double averageVariance(int workers) {
            return steps == 0 ? 0 : variance / steps / ((double) workers * workers);
        }

        /** Mean per step of the ranks' summed variance over their summed squared gradient norms. */
        double averageNormalizedVariance() {
            return steps == 0 ? 0 : normalized / steps;
        }
    }

    /** Fraction of the test set whose highest-scoring class is its label. */
    static double accuracy(Trainer trainer, ImageDataset test) throws IOException, TranslateException {
        long[] counts = hits(trainer, test);
        return counts[1] == 0 ? Double.NaN : (double) counts[0] / counts[1];
    }

    /** Data-parallel: each rank counts the hits on its share of the test set, and the counts are summed. */
    private static double sharedAccuracy(DataParallel parallel, Trainer trainer, ImageDataset share)
            throws IOException, TranslateException {
        long[] counts = hits(trainer, share);
        // float32 sums of counts are exact below 2^24 examples
        float[] sums = parallel.sum(counts[0], counts[1]);
        return sums[1] == 0 ? Double.NaN : (double) sums[0] / sums[1];
    }

    /** Correct predictions and examples. */
    private static long[] hits(Trainer trainer, ImageDataset test) throws IOException, TranslateException {
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
        return new long[] {correct, total};
    }
}
