package io.gradquant.cli;

import io.gradquant.distributed.Collective;
import io.gradquant.distributed.GradientExchange;
import io.gradquant.distributed.MpiLauncher;
import io.gradquant.distributed.MpiWorld;
import java.io.PrintWriter;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of a data-parallel run (train, compare, bench-collective): how many ranks, how their
 * gradients meet, error feedback and the layer filter; and what this process is in the run
 * ({@link #role}). See docs/distributed.md.
 */
final class DistributedOptions {
    /** What this process does in a run. */
    enum Role {
        /** No --workers (or 1) and no MPI launcher: an ordinary single-process run. */
        SINGLE,
        /** --workers N > 1 without an MPI launcher: start N ranks with mpirun and wait for them. */
        LAUNCHER,
        /** Started by an MPI launcher: one rank of the world, joins it. */
        RANK
    }

    @Option(names = "--workers", paramLabel = "N",
            description = "Data-parallel ranks. On one machine, N > 1 starts N ranks here with mpirun; under mpirun"
                    + " (a cluster: mpirun -np N --hostfile H ./gradquant ...) each process joins as one rank and N,"
                    + " if given, must equal the job's size. Default: 1, or the job's size under mpirun.")
    Integer workers;

    @Option(names = "--collective", paramLabel = "NAME", defaultValue = "allgather", converter = CollectiveName.class,
            description = "How the ranks' gradients meet: allgather (each decodes all N messages), reduce-scatter"
                    + " (CGX: chunk j averaged on rank j, re-compressed, allgathered), allreduce (float32"
                    + " MPI_Allreduce, quantizer none only) (default: ${DEFAULT-VALUE}).")
    Collective collective;

    @Option(names = "--error-feedback",
            description = "Keep each rank's compression error and add it to the next step's gradient.")
    boolean errorFeedback;

    @Option(names = "--min-quantized-size", paramLabel = "N",
            defaultValue = "" + GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE,
            description = "Tensors with fewer values travel as float32 (default: ${DEFAULT-VALUE}, as CGX).")
    int minQuantizedSize;

    /**
     * What this process is, after checking the options.
     *
     * @throws ParameterException for --workers below 1, or a negative --min-quantized-size
     */
    Role role(CommandSpec spec) {
        if (workers != null && workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers " + workers + " is not allowed: it must be >= 1");
        }
        if (minQuantizedSize < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--min-quantized-size " + minQuantizedSize + " is not allowed: it must be >= 0");
        }
        if (MpiWorld.insideJob()) {
            return Role.RANK;
        }
        return workers == null || workers == 1 ? Role.SINGLE : Role.LAUNCHER;
    }

    /**
     * Runs this same command line as {@code --workers} ranks under mpirun (role LAUNCHER).
     *
     * @return mpirun's exit code
     */
    int launch(CommandSpec spec) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        return MpiLauncher.run(workers, Main.class.getName(), spec.commandLine().getParseResult().originalArgs(), err);
    }

    /**
     * Joins the MPI world (role RANK, or SINGLE when a world of one is wanted).
     *
     * @throws ParameterException if --workers was given and differs from the job's size
     */
    MpiWorld join(CommandSpec spec) {
        MpiWorld world = MpiWorld.get();
        if (workers != null && workers != world.size()) {
            throw new ParameterException(spec.commandLine(), "--workers " + workers + " does not match this MPI job's "
                    + world.size() + " ranks: give the same number to mpirun -np, or leave --workers out");
        }
        return world;
    }

    /** The exchange's settings from these options. */
    GradientExchange.Builder configure(GradientExchange.Builder builder) {
        return builder.collective(collective).errorFeedback(errorFeedback).minQuantizedSize(minQuantizedSize);
    }

    /** Converts a --collective name. */
    static final class CollectiveName implements ITypeConverter<Collective> {
        @Override
        public Collective convert(String value) {
            return Collective.fromName(value);
        }
    }
}
