package io.gradquant.harness;

import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.backend.Backend;
import io.gradquant.data.ImageDataset;
import io.gradquant.train.ExchangingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference harness's variance measurement: from the experiment's initial parameters, train
 * with plain (unquantized) SGD for a number of steps; on each step's gradient measure every
 * quantizer's variance and normalised variance, each on its own copy, while the update uses the
 * original gradient. Quantizer i uses step s of its random stream on step s.
 *
 * <p>Data-parallel, the probe trains as one worker of the job: each rank on its slice of the
 * batches, the gradients averaged by a float32 allreduce, so the probe measures the quantizers on
 * the gradient of the whole global batch, as a single process with that batch would. Rank 0 measures;
 * the other ranks train along and return zeros.
 */
public final class VarianceProbe {
    private final Experiment experiment;
    private final Backend trainingBackend;
    private final boolean progress;

    /**
     * @param trainingBackend the backend of the training gradients (data-parallel, it reaches their
     *                        memory for the float32 average: on a GPU, cuda)
     * @param progress        whether to show a progress bar
     */
    public VarianceProbe(Experiment experiment, Backend trainingBackend, boolean progress) {
        this.experiment = experiment;
        this.trainingBackend = trainingBackend;
        this.progress = progress;
    }

    /**
     * Runs {@code steps} steps (continuing into further epochs of the same data order if one epoch
     * is shorter) and measures every quantizer on each.
     *
     * @param quantizers the quantizers, by name, in report order; they must work on host buffers
     * @return the measurements; if the probe's loss stopped being finite, those of the steps before,
     *         with {@link Result#stopped()} saying why
     */
    public Result run(Map<String, Quantizer> quantizers, int steps) throws Exception {
        Map<String, double[]> variance = new LinkedHashMap<>();
        Map<String, double[]> normalized = new LinkedHashMap<>();
        quantizers.keySet().forEach(name -> {
            variance.put(name, new double[steps]);
            normalized.put(name, new double[steps]);
        });
        if (steps == 0) {
            return new Result(variance, normalized, null);
        }
        Recipe recipe = experiment.recipe();
        DataParallel parallel = experiment.parallel();
        boolean measures = parallel == null || parallel.writesResults();
        EpochLearningRate lr = new EpochLearningRate(recipe);
        LossRecorder loss = new LossRecorder();
        GradientCopy copy = new GradientCopy();
        TrainingListener measure = measures ? new Measure(copy) : new TrainingListenerAdapter() { };
        // data-parallel: the float32 average first, then the measurement sees it
        TrainingListener[] listeners = parallel == null ? new TrainingListener[] {loss, measure}
                : new TrainingListener[] {loss, new ExchangingListener(parallel.float32Exchange(trainingBackend)),
                    measure};
        EpochShuffleSampler sampler = experiment.newSampler();
        ImageDataset train = experiment.data().trainSet(sampler, recipe.seed());
        ProgressBars bar = ProgressBars.start(progress, "variance", steps);
        int step = 0;
        try (Experiment.Session session = experiment.open("variance-probe", lr, listeners)) {
            Trainer trainer = session.trainer();
            for (int epoch = 0; step < steps; epoch++) {
                lr.startEpoch(epoch);
                sampler.setEpoch(epoch);
                for (Batch batch : trainer.iterateDataset(train)) {
                    try (batch) {
                        if (step == steps) {
                            break; // DJL's iterator holds no threads or resources without an executor
                        }
                        EasyTrain.trainBatch(trainer, batch);
                        float value = parallel == null ? loss.last() : parallel.sum(loss.last())[0];
                        if (!Float.isFinite(value)) {
                            NonFiniteLossException stop = new NonFiniteLossException(
                                    "the variance probe (unquantized SGD)", step + 1, epoch + 1, value);
                            return new Result(firstSteps(variance, step), firstSteps(normalized, step), stop);
                        }
                        for (Map.Entry<String, Quantizer> q : measures ? quantizers.entrySet()
                                : Map.<String, Quantizer>of().entrySet()) {
                            QuantStats stats = q.getValue().quantize(copy.freshWork(), step);
                            variance.get(q.getKey())[step] = stats.variance();
                            normalized.get(q.getKey())[step] = stats.normalizedVariance();
                        }
                        trainer.step(); // with the original gradient, which the copies left untouched
                        step++;
                        bar.step(step, null);
                    }
                }
            }
        }
        return new Result(variance, normalized, null);
    }

    private static Map<String, double[]> firstSteps(Map<String, double[]> all, int steps) {
        Map<String, double[]> first = new LinkedHashMap<>();
        all.forEach((name, values) -> first.put(name, java.util.Arrays.copyOf(values, steps)));
        return first;
    }

    /** Copies the gradients after backward; the measuring happens in the loop, after the loss check. */
    private static final class Measure extends TrainingListenerAdapter {
        private final GradientCopy copy;

        Measure(GradientCopy copy) {
            this.copy = copy;
        }

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            copy.capture(trainer.getModel().getBlock());
        }
    }

    /**
     * Per quantizer (in the order given), the variance and normalised variance of each probe step
     * taken.
     *
     * @param stopped null if every step was taken, else why the probe stopped early
     */
    public record Result(Map<String, double[]> variance, Map<String, double[]> normalizedVariance,
            NonFiniteLossException stopped) {
        /** Mean variance over the probe steps; NaN with no steps. */
        public double meanVariance(String quantizer) {
            return mean(variance.get(quantizer));
        }

        /** Mean normalised variance over the probe steps; NaN with no steps. */
        public double meanNormalizedVariance(String quantizer) {
            return mean(normalizedVariance.get(quantizer));
        }

        /** Number of probe steps. */
        public int steps() {
            return variance.isEmpty() ? 0 : variance.values().iterator().next().length;
        }

        private static double mean(double[] values) {
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            return values.length == 0 ? Double.NaN : sum / values.length;
        }

        /** The names, in order. */
        public List<String> quantizers() {
            return new ArrayList<>(variance.keySet());
        }
    }
}
