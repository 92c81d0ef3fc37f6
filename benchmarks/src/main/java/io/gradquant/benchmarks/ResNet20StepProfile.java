package io.gradquant.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.Batchifier;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.CpuBackend;
import io.gradquant.bench.Machine;
import io.gradquant.train.Models;
import io.gradquant.train.QuantizingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How much of a ResNet-20 training step quantization takes, measured inside real steps: DJL
 * (PyTorch, CPU) trains the library's ResNet-20 on random CIFAR-shaped batches, with no listener
 * (the baseline step) and then with the {@link QuantizingListener} for each quantizer, which
 * quantizes all 272,474 gradient values in place between backward and the optimizer step and
 * times itself (gathering the gradient views plus quantizing). The configurations take steps in
 * turn. Prints the median step and the median quantization time per quantizer. A profile of the
 * step, not a training run: the data are noise and nothing is evaluated.
 */
@Command(name = "ResNet20StepProfile", mixinStandardHelpOptions = true,
        description = "Median ResNet-20 training step (DJL, CPU) and the quantizing listener's share of it.")
public final class ResNet20StepProfile implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per quantizer (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--batch", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--bucket-size", defaultValue = "512", description = "Bucket size (default: ${DEFAULT-VALUE}).")
    int bucket;

    @Option(names = "--levels", defaultValue = "16", description = "Levels (default: ${DEFAULT-VALUE}).")
    int levels;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ResNet20StepProfile()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf(Locale.ROOT, "machine %s; load %s; batch %d, bucket %d, levels %d, %d timed steps after %d%n",
                Machine.describe(""), Machine.loadAverage(), batch, bucket, levels, steps, warmup);
        List<QuantizerType> types = new ArrayList<>();
        types.add(null); // no listener: the plain step
        types.addAll(Arrays.asList(QuantizerType.values()));
        List<Run> runs = new ArrayList<>();
        try {
            for (QuantizerType type : types) {
                runs.add(new Run(type));
            }
            // round-robin, one step of each configuration in turn, so that all of them see the same
            // machine: on a shared machine the load changes from minute to minute
            for (int i = 0; i < warmup + steps; i++) {
                for (Run run : runs) {
                    run.step(i, i >= warmup);
                }
            }
        } finally {
            for (Run run : runs) {
                run.close();
            }
        }
        System.out.printf(Locale.ROOT, "%-14s %12s %14s %8s%n", "quantizer", "step ms", "quantize ms", "share");
        for (Run run : runs) {
            double step = medianOf(run.stepMs);
            if (run.listener == null) {
                System.out.printf(Locale.ROOT, "%-14s %12.1f %14s %8s%n", "(no listener)", step, "-", "-");
            } else {
                double quantize = medianOf(run.quantizeMs);
                System.out.printf(Locale.ROOT, "%-14s %12.1f %14.3f %7.2f%%%n", run.type.cliName(), step, quantize,
                        100 * quantize / step);
            }
        }
        System.out.println("load after: " + Machine.loadAverage());
        return 0;
    }

    /** One configuration: a fresh ResNet-20 and trainer, with the listener for a quantizer or none. */
    private final class Run implements AutoCloseable {
        final QuantizerType type;
        final QuantizingListener listener;
        final Model model;
        final Trainer trainer;
        final List<Double> stepMs = new ArrayList<>();
        final List<Double> quantizeMs = new ArrayList<>();

        Run(QuantizerType type) {
            this.type = type;
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).optMomentum(0.9f).build());
            if (type != null) {
                QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(bucket).levels(levels).build();
                listener = new QuantizingListener(new Quantizer(spec, new CpuBackend(0)));
                config.addTrainingListeners(listener);
            } else {
                listener = null;
            }
            model = Model.newInstance("resnet20-profile");
            model.setBlock(Models.resnet20(10));
            trainer = model.newTrainer(config);
            trainer.initialize(new Shape(batch, 3, 32, 32));
        }

        /** One training step on a random batch; recorded if {@code timed}. */
        void step(int index, boolean timed) {
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDList data = new NDList(scope.randomNormal(new Shape(batch, 3, 32, 32)));
                NDList labels = new NDList(scope.randomInteger(0, 10, new Shape(batch), DataType.FLOAT32));
                Batch b = new Batch(scope, data, labels, batch, Batchifier.STACK, Batchifier.STACK, index, warmup + steps);
                double quantizedBefore = listener == null ? 0 : listener.totals().seconds();
                long start = System.nanoTime();
                EasyTrain.trainBatch(trainer, b);
                trainer.step();
                double ms = (System.nanoTime() - start) / 1e6;
                if (timed) {
                    stepMs.add(ms);
                    quantizeMs.add(listener == null ? 0 : (listener.totals().seconds() - quantizedBefore) * 1e3);
                }
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    private static double medianOf(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
