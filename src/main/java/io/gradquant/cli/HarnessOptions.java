package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.data.DataLocator;
import io.gradquant.data.DatasetKind;
import io.gradquant.data.DebianDataPackage;
import io.gradquant.harness.DataSource;
import io.gradquant.harness.DeviceChoice;
import io.gradquant.harness.ModelKind;
import io.gradquant.harness.OutputDirectory;
import io.gradquant.harness.QuantizerFactory;
import io.gradquant.harness.Recipe;
import io.gradquant.harness.Settings;
import io.gradquant.harness.TrainingData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options train and compare share besides the quantizer's ({@link QuantizerOptions}): model,
 * data, recipe (defaults from the reference harness), seed, device and output. {@link #validate}
 * turns them into checked values or a usage error naming the option.
 */
final class HarnessOptions {
    @Option(names = "--model", required = true, paramLabel = "NAME", converter = Converters.Model.class,
            description = "resnet20, cnn or mlp.")
    ModelKind model;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", converter = Converters.Dataset.class,
            description = "fashion-mnist or cifar10 (binary version).")
    DatasetKind dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory holding the data set's files. Default:"
            + " $GRADQUANT_DATA, then /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist,"
            + " installed with apt-get when missing and possible).")
    Path dataDir;

    @Option(names = "--no-data-install", description = "Never install the data set's Debian package automatically.")
    boolean noDataInstall;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "200", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.1", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--momentum", paramLabel = "X", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "1e-4",
            description = "Weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--lr-milestones", paramLabel = "E,E,...", defaultValue = "81,122,164",
            converter = Converters.Milestones.class,
            description = "Epochs (from 0) from which the learning rate is multiplied by 0.1, or 'none'"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> milestones;

    @Option(names = "--max-steps-per-epoch", paramLabel = "N", defaultValue = "0",
            description = "Cut each epoch after N steps, for quick runs; 0 = whole epochs (default: ${DEFAULT-VALUE}).")
    int maxStepsPerEpoch;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of initialisation, data order, augmentation and quantization (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "auto",
            description = "Train on the CPU or a CUDA GPU; auto picks the GPU when DJL sees one and the cuda backend"
                    + " works (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Results directory; must not exist or be empty unless --force"
                    + " (default: a new gradquant-runs/COMMAND-DATE-TIME).")
    Path out;

    @Option(names = "--force", description = "Write into an existing, non-empty --out directory: files of the same"
            + " name are replaced (kept whole until then; a symbolic link is written through), others are left alone.")
    boolean force;

    /**
     * The recipe, after checking every option that needs no data, the quantizer options with every
     * quantizer that will run among them.
     *
     * @throws ParameterException naming the first bad option
     */
    Recipe validate(CommandSpec spec, QuantizerOptions quantizer, List<QuantizerType> quantizers) {
        quantizer.check(spec, quantizers, seed);
        if (!List.of("auto", "cpu", "gpu").contains(device.trim().toLowerCase(java.util.Locale.ROOT))) {
            throw new ParameterException(spec.commandLine(),
                    "unknown device '" + device + "': allowed are " + DeviceChoice.NAMES);
        }
        try {
            return new Recipe(epochs, batchSize, lr, momentum, weightDecay, milestones, maxStepsPerEpoch, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The quantizers of every run, on {@code on}, with this invocation's seed. */
    QuantizerFactory factory(QuantizerOptions quantizer, io.gradquant.backend.Backend on) {
        return new QuantizerFactory(type -> quantizer.spec(type, seed), on);
    }

    /**
     * The output directory, checked but not created yet: it may be written, and so may each of
     * {@code files} that is already in it (a forced run replaces them).
     *
     * @throws ParameterException if it exists and is not empty without --force, or cannot be written
     */
    Path checkOut(CommandSpec spec, String command, List<String> files) {
        Path dir = out != null ? out : OutputDirectory.defaultFor(command);
        try {
            OutputDirectory.check(dir, force, files);
            return dir;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** Finds (or installs) and loads the data, saying where it came from on {@code log}. */
    TrainingData loadData(PrintWriter log) throws IOException {
        DataSource source = new DataSource(DataLocator.fromEnvironment(), new DebianDataPackage(), !noDataInstall);
        DataLocator.Location found = source.locate(dataset, dataDir, log);
        log.println("gradquant: " + dataset.cliName() + " from " + found.dir() + " (" + found.source() + ")");
        log.flush();
        dataLocation = found.dir();
        return TrainingData.load(dataset, found.dir());
    }

    private Path dataLocation;

    /** The double nearest the float's shortest decimal form: 0.1f is reported as 0.1, not 0.10000000149. */
    private static double decimal(float value) {
        return Double.parseDouble(Float.toString(value));
    }

    /** The settings record of this invocation, for the result files. */
    Settings settings(String command, QuantizerOptions q, List<QuantizerType> quantizers, DeviceChoice choice,
            TrainingData data, int varianceSteps) {
        return new Settings(command, model.cliName(), dataset.cliName(), String.valueOf(dataLocation),
                choice.device().toString(), choice.backend().name(), q.threads,
                quantizers.stream().map(QuantizerType::cliName).toList(), q.bucketSize, q.levels, q.smartFraction,
                Converters.cliName(q.norm), Converters.cliName(q.layout), epochs,
                batchSize, decimal(lr), decimal(momentum), decimal(weightDecay), milestones, maxStepsPerEpoch, seed,
                varianceSteps,
                data.trainSize(), data.testSize());
    }
}
