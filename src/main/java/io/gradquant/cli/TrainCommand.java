package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.harness.ProgressBars;
import io.gradquant.harness.RunResult;
import io.gradquant.harness.TrainJob;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradquant train}: trains one model with one quantizer between backward and the optimizer step. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train a model with quantized gradients (DJL, PyTorch engine): a progress bar and one line per"
                + " epoch, DIR/metrics.csv and DIR/summary.json.",
                "Recipe defaults are the reference harness's: lr 0.1, momentum 0.9, weight decay 1e-4, batch 64,"
                        + " lr x0.1 at epochs 81/122/164, 200 epochs, seed 1."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--quantizer", paramLabel = "NAME", defaultValue = "standard", converter = Converters.Quantizer.class,
            description = "none, standard, smart, hadamard or exponential (default: ${DEFAULT-VALUE}).")
    private QuantizerType quantizer;

    @Mixin
    private QuantizerOptions quantizerOptions;

    @Mixin
    private HarnessOptions options;

    @Override
    public Integer call() throws Exception {
        HarnessSetup setup = HarnessSetup.prepare(spec, options, quantizerOptions, "train", List.of(quantizer), 0,
                TrainJob.FILES);
        PrintWriter out = spec.commandLine().getOut();
        RunResult result = TrainJob.run(setup.experiment(), setup.settings(), setup.factory(), quantizer, setup.dir(),
                out, ProgressBars.enabled());
        out.printf(Locale.ROOT, "%s: test accuracy %.2f%% after %d epochs; results in %s%n", quantizer.cliName(),
                100 * result.finalTestAccuracy(), result.epochs().size(), setup.dir());
        out.flush();
        return 0;
    }
}
