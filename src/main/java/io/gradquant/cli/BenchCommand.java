package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.bench.BenchConfig;
import io.gradquant.bench.BenchRun;
import io.gradquant.bench.BenchRunner;
import io.gradquant.harness.Json;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gradquant bench}: times every quantizer on one backend against the backend's memory copy
 * and against the same quantizer written as DJL NDArray operations, and prints a table or one JSON
 * object.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Time in-place quantization against a memory copy and against DJL NDArray operations.",
            "Inputs are gradient-like (per-block scales, outliers), rotated over a ring of buffers of 128 MiB or"
                    + " more so the cache does not flatter; figures are medians of the timed rounds. gbps counts 8"
                    + " bytes per element."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--elements", paramLabel = "N", defaultValue = "16777216",
            description = "Values per input, 1 to " + BenchConfig.MAX_ELEMENTS + " (default: ${DEFAULT-VALUE}).")
    private int elements;

    @Mixin
    private QuantizerOptions options;

    @Option(names = "--quantizers", paramLabel = "LIST", split = ",", converter = Converters.Quantizer.class,
            defaultValue = "none,standard,smart,hadamard,exponential",
            description = "Comma-separated quantizers to time, in this order (default: ${DEFAULT-VALUE}).")
    private List<QuantizerType> quantizers;

    @Mixin
    private RoundOptions rounds;

    @Option(names = "--small-elements", paramLabel = "N", defaultValue = "" + BenchConfig.RESNET20_ELEMENTS,
            description = "Values of a small input the quantizers also run on, in the same rounds, where fixed"
                    + " per-call costs show; 0 = none, and none unless below --elements (default: ${DEFAULT-VALUE},"
                    + " one ResNet-20 gradient).")
    private int smallElements;

    @Option(names = "--no-djl-ops", description = "Skip the race against DJL NDArray operations (vs_djl_ops is null).")
    private boolean noDjlOps;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of a table.")
    private boolean json;

    @Override
    public Integer call() {
        BenchConfig config = validate();
        PrintWriter err = spec.commandLine().getErr();
        BenchRun run;
        try {
            run = new BenchRunner(config, line -> {
                err.println("gradquant: bench: " + line);
                err.flush();
            }).run();
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException("out of memory (" + e.getMessage() + "): use fewer --elements, or give"
                    + " Java more with -Xmx and -XX:MaxDirectMemorySize (the launcher passes $JAVA_OPTS)", e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.GSON.toJson(run.report()));
        } else {
            out.print(BenchTable.format(run, config));
        }
        out.flush();
        return 0;
    }

    /** Every check that needs no measurement, so that a bad option fails at once. */
    private BenchConfig validate() {
        if (elements < 1 || elements > BenchConfig.MAX_ELEMENTS) {
            throw usage("--elements " + elements + " is not allowed: it must be in [1, " + BenchConfig.MAX_ELEMENTS + "]");
        }
        if (smallElements < 0) {
            throw usage("--small-elements " + smallElements + " is not allowed: it must be >= 0");
        }
        rounds.check(spec);
        if (quantizers.isEmpty()) {
            throw usage("--quantizers is empty: name at least one of " + QuantizerType.allNames());
        }
        if (new HashSet<>(quantizers).size() != quantizers.size()) {
            throw usage("--quantizers " + quantizers + " names a quantizer twice: name each at most once");
        }
        return new BenchConfig(options.backend, elements, options.threads, options.check(spec, quantizers, rounds.seed),
                rounds.repeats, rounds.warmup, !noDjlOps, rounds.seed, smallElements);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
