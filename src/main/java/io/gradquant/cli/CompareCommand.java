package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.harness.CompareJob;
import io.gradquant.harness.ProgressBars;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code gradquant compare}: the reference harness's comparison of quantizers. */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Compare quantizers as the smart-quantizer harness does: a variance probe (--variance-steps"
                + " steps of plain SGD, every quantizer measured on each step's gradient), then one training run per"
                + " quantizer from the same initialisation and data order.",
                "Prints the table and writes DIR/compare.json, compare.csv, metrics.csv, variance.csv, accuracy.png"
                        + " and variance.png."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--quantizers", paramLabel = "Q,Q,...", defaultValue = "none,standard,smart,hadamard,exponential",
            converter = Converters.QuantizerList.class,
            description = "Quantizers to compare, in table order (default: ${DEFAULT-VALUE}).")
    private List<QuantizerType> quantizers;

    @Option(names = "--variance-steps", paramLabel = "N", defaultValue = "200",
            description = "Steps of the variance probe; 0 skips it (default: ${DEFAULT-VALUE}).")
    private int varianceSteps;

    @Mixin
    private QuantizerOptions quantizerOptions;

    @Mixin
    private HarnessOptions options;

    @Override
    public Integer call() throws Exception {
        if (varianceSteps < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--variance-steps " + varianceSteps + " is not allowed: it must be >= 0");
        }
        if (new java.util.HashSet<>(quantizers).size() != quantizers.size()) {
            // picocli appends the lists of a repeated --quantizers; each quantizer may run once
            throw new ParameterException(spec.commandLine(), "--quantizers " + quantizers
                    + " lists a quantizer twice: each may run once");
        }
        HarnessSetup setup = HarnessSetup.prepare(spec, options, quantizerOptions, "compare", quantizers,
                varianceSteps, CompareJob.FILES);
        PrintWriter out = spec.commandLine().getOut();
        CompareJob.run(setup.experiment(), setup.settings(), setup.factory(), quantizers,
                setup.choice().probeBackend(), varianceSteps, setup.dir(), out, ProgressBars.enabled());
        out.println("results in " + setup.dir());
        out.flush();
        return 0;
    }
}
