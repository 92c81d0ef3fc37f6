package io.gradquant.distributed;

import io.gradquant.JvmProcess;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts test JVMs as the ranks of an Open MPI job on this machine: {@code mpirun -np N
 * --oversubscribe} (as root {@code --allow-run-as-root}), over shared memory or over TCP on the
 * loopback ({@code --mca btl tcp,self}).
 */
final class MpiJob {
    /** How the ranks talk. */
    enum Transport {
        /** Open MPI's default on one machine: shared memory (vader). */
        SHARED_MEMORY,
        /** TCP over the loopback, as between machines. */
        TCP
    }

    private MpiJob() {
    }

    /** The mpirun options for {@code ranks} ranks over {@code transport}. */
    static List<String> mpirun(int ranks, Transport transport) {
        List<String> command = new ArrayList<>(List.of("mpirun", "-np", Integer.toString(ranks), "--oversubscribe",
                "--bind-to", "none"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-run-as-root");
        }
        if (transport == Transport.TCP) {
            command.addAll(List.of("--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "lo"));
        }
        return command;
    }

    /** A process builder for {@code mpirun ... java -cp <test class path> mainClass args}. */
    static ProcessBuilder builder(int ranks, Transport transport, String mainClass, List<String> args) {
        ProcessBuilder rank = JvmProcess.builder(List.of(), mainClass, args, Map.of());
        List<String> command = mpirun(ranks, transport);
        command.addAll(rank.command());
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("UCX_ERROR_SIGNALS", "");
        return pb;
    }

    /** Runs the job to completion (at most two minutes) and returns what it printed. */
    static JvmProcess.Result run(int ranks, Transport transport, String mainClass, List<String> args)
            throws IOException, InterruptedException {
        return JvmProcess.finish(builder(ranks, transport, mainClass, args).start());
    }
}
