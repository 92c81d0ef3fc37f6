package io.gradquant.cli;

import io.gradquant.distributed.MpiLauncher;
import io.gradquant.distributed.MpiWorld;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --workers}, the option of every data-parallel command (train, compare, bench-collective),
 * and what this process is in the run ({@link #role}): a single process, the launcher of N ranks
 * on this machine, or one rank of an MPI job. See docs/distributed.md.
 */
final class WorkerOptions {
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

    /**
     * What this process is, after checking the options.
     *
     * @throws ParameterException for --workers below 1
     */
    Role role(CommandSpec spec) {
        if (workers != null && workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers " + workers + " is not allowed: it must be >= 1");
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
}
