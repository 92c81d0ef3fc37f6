package io.gradquant.cli;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import io.gradquant.backend.Backends;
import io.gradquant.bench.CollectiveBench;
import io.gradquant.bench.Machine;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.ConfigDigest;
import io.gradquant.distributed.MpiWorld;
import io.gradquant.harness.Json;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gradquant bench-collective}: times compressed gradient all-reduces across N ranks against
 * float32 MPI_Allreduce, and prints a table or one JSON object (rank 0 only).
 */
@Command(name = "bench-collective", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Time gradient all-reduces across N ranks (Open MPI): for each quantizer and collective, the"
                + " median seconds per all-reduce, bytes sent per worker, compression ratio, the split into encode /"
                + " communicate / decode, and the speed-up over float32 MPI_Allreduce timed in the same run.",
            "--workers N starts N ranks here with mpirun; under mpirun each process is one rank."})
final class BenchCollectiveCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private WorkerOptions workers;

    @Option(names = "--elements", paramLabel = "M", defaultValue = "16777216",
            description = "Gradient values per worker, 1 to " + (Integer.MAX_VALUE / 8) + " (default: ${DEFAULT-VALUE}).")
    private int elements;

    @Option(names = "--quantizers", paramLabel = "LIST", split = ",", converter = Converters.Quantizer.class,
            defaultValue = "none,standard,smart,hadamard,exponential",
            description = "Comma-separated quantizers, in this order (default: ${DEFAULT-VALUE}).")
    private List<QuantizerType> quantizers;

    @Option(names = "--collectives", paramLabel = "LIST", split = ",", converter = ExchangeOptions.CollectiveName.class,
            defaultValue = "allgather,reduce-scatter",
            description = "Comma-separated collectives for the quantizers (default: ${DEFAULT-VALUE}); float32"
                    + " allreduce is always timed as the baseline.")
    private List<Collective> collectives;

    @Mixin
    private QuantizerOptions options;

    @Mixin
    private RoundOptions rounds;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        CollectiveBench.Config config = validate();
        WorkerOptions.Role role = workers.role(spec);
        if (role == WorkerOptions.Role.LAUNCHER) {
            return workers.launch(spec);
        }
        MpiWorld world = workers.join(spec);
        ConfigDigest.requireSame(world, config.fields());
        PrintWriter err = spec.commandLine().getErr();
        boolean reporter = world.rank() == 0;
        List<CollectiveBench.Row> rows;
        try (Backend b = Backends.create(hostBackend(), options.threads).backend()) {
            rows = new CollectiveBench(world, b, config, line -> {
                if (reporter) {
                    err.println("gradquant: bench-collective: " + line);
                    err.flush();
                }
            }).run();
        }
        if (reporter) {
            print(world, config, rows);
        }
        return 0;
    }

    private void print(MpiWorld world, CollectiveBench.Config config, List<CollectiveBench.Row> rows) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("workers", world.size());
            report.put("elements", config.elements());
            report.put("bucket_size", options.bucketSize);
            report.put("levels", options.levels);
            report.put("backend", hostBackend());
            report.put("repeats", config.repeats());
            report.put("mpi", world.libraryVersion().lines().findFirst().orElse("").strip());
            report.put("machine", Machine.describe(""));
            report.put("load_average", Machine.loadAverage());
            report.put("results", rows);
            out.println(Json.GSON.toJson(report));
        } else {
            out.printf(Locale.ROOT, "%d workers, %d values each (%.1f MB float32), bucket %d, %d levels, backend %s;"
                    + " medians of %d rounds%n", world.size(), config.elements(), config.elements() * 4 / 1e6,
                    options.bucketSize, options.levels, hostBackend(), config.repeats());
            out.printf(Locale.ROOT, "%-12s %-15s %10s %8s %8s %8s %14s %7s %10s%n", "quantizer", "collective",
                    "s/allreduce", "encode", "comm", "decode", "bytes/worker", "ratio", "vs float32");
            for (CollectiveBench.Row r : rows) {
                out.printf(Locale.ROOT, "%-12s %-15s %10.4f %8.4f %8.4f %8.4f %14.0f %7.2f %9.2fx%n", r.quantizer(),
                        r.collective(), r.seconds(), r.encodeSeconds(), r.communicateSeconds(), r.decodeSeconds(),
                        r.bytesSentPerWorker(), r.compressionRatio(), r.speedupVsAllreduce());
            }
        }
        out.flush();
    }

    /** Every check that needs no measurement, so that a bad option fails at once (before any rank starts). */
    private CollectiveBench.Config validate() {
        if (elements < 1 || elements > Integer.MAX_VALUE / 8) {
            throw usage("--elements " + elements + " is not allowed: it must be in [1, " + Integer.MAX_VALUE / 8 + "]");
        }
        if (options.backend.equals("cuda")) {
            throw usage("--backend cuda is not allowed here: use auto, java or cpu (the gradient and the messages live in"
                    + " host memory)");
        }
        rounds.check(spec);
        if (quantizers.isEmpty() || new HashSet<>(quantizers).size() != quantizers.size()) {
            throw usage("--quantizers " + quantizers + " must name each of " + QuantizerType.allNames() + " at most once");
        }
        if (collectives.isEmpty() || new HashSet<>(collectives).size() != collectives.size()) {
            throw usage("--collectives " + collectives + " must name each of " + Collective.allNames() + " at most once");
        }
        List<QuantizerSpec> specs = options.check(spec, quantizers, rounds.seed);
        return new CollectiveBench.Config(elements, specs, collectives, rounds.repeats, rounds.warmup, rounds.seed);
    }

    /** The backend that encodes and decodes: auto means cpu where its library loads, else java (never cuda). */
    private String hostBackend() {
        if (!options.backend.equals("auto")) {
            return options.backend;
        }
        return Backends.probe().stream().anyMatch(s -> s.name().equals("cpu") && s.available()) ? "cpu" : "java";
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
