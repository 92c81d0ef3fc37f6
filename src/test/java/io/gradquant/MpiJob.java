package io.gradquant;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts test JVMs as the ranks of an Open MPI job on this machine, as a cluster would run them:
 * {@code mpirun -np N --oversubscribe} (as root {@code --allow-run-as-root}) over shared memory or
 * over TCP on the loopback. Several app contexts ({@code mpirun -np 1 A : -np 1 B}) give ranks
 * different arguments.
 */
public final class MpiJob {
    /** How the ranks talk: Open MPI's byte transfer layers. */
    public enum Transport {
        /** Open MPI's default on one machine: shared memory (vader). */
        SHARED_MEMORY("vader,self"),
        /** TCP over the loopback, as between machines. */
        TCP("tcp,self");

        private final String btl;

        Transport(String btl) {
            this.btl = btl;
        }

        /** The value of {@code --mca btl}. */
        public String btl() {
            return btl;
        }
    }

    /** One app context: {@code ranks} ranks of {@code java jvmOptions -cp <test class path> mainClass args}. */
    public record App(int ranks, List<String> jvmOptions, String mainClass, List<String> args) {
    }

    private MpiJob() {
    }

    /** The mpirun command for several app contexts (MPMD), ranks numbered in order. */
    public static List<String> command(Transport transport, List<App> apps) {
        List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "--bind-to", "none",
                "--mca", "btl", transport.btl()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-run-as-root");
        }
        if (transport == Transport.TCP) {
            command.addAll(List.of("--mca", "btl_tcp_if_include", "lo"));
        }
        for (int i = 0; i < apps.size(); i++) {
            App app = apps.get(i);
            if (i > 0) {
                command.add(":");
            }
            command.addAll(List.of("-np", Integer.toString(app.ranks())));
            command.addAll(JvmProcess.builder(app.jvmOptions(), app.mainClass(), app.args(), Map.of()).command());
        }
        return command;
    }

    /** The mpirun command for {@code ranks} ranks of {@code mainClass args} with the default JVM options. */
    public static List<String> command(Transport transport, int ranks, String mainClass, List<String> args) {
        return command(transport, List.of(new App(ranks, List.of(), mainClass, args)));
    }

    /** A process builder for the command, with UCX kept away from the JVM's signals and the given variables added. */
    public static ProcessBuilder builder(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UCX_ERROR_SIGNALS", "");
        builder.environment().putAll(environment);
        return builder;
    }

    /** Runs the job to completion (at most {@code seconds}) and returns what it printed. */
    public static JvmProcess.Result run(List<String> command, long seconds, Map<String, String> environment)
            throws IOException, InterruptedException {
        return JvmProcess.finish(builder(command, environment).start(), seconds);
    }

    /** The process of rank {@code rank} among the descendants of {@code mpirun}, read from its environment. */
    public static ProcessHandle rank(Process mpirun, int rank) throws IOException {
        for (ProcessHandle h : mpirun.descendants().toList()) {
            Path environ = Path.of("/proc", Long.toString(h.pid()), "environ");
            if (!Files.isReadable(environ)) {
                continue;
            }
            String env = new String(Files.readAllBytes(environ), StandardCharsets.UTF_8);
            if (("\0" + env).contains("\0OMPI_COMM_WORLD_RANK=" + rank + "\0")) {
                return h;
            }
        }
        return null;
    }
}
