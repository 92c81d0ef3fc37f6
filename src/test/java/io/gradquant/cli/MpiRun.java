package io.gradquant.cli;

import io.gradquant.JvmProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code gradquant} command lines as ranks under {@code mpirun} on this machine, with the
 * test class path, as a cluster would run them: {@code mpirun -np N java ... Main ARGS}. Several
 * app contexts ({@code mpirun -np 1 A : -np 1 B}) give ranks different arguments.
 */
final class MpiRun {
    /** Open MPI's shared-memory transport, and TCP over loopback. */
    enum Transport {
        SHARED_MEMORY("vader,self"),
        TCP("tcp,self");

        final String btl;

        Transport(String btl) {
            this.btl = btl;
        }
    }

    /** Exit code and output of a finished mpirun. */
    record Result(int code, String out, String err) {
    }

    private MpiRun() {
    }

    /** The mpirun command for {@code ranks} ranks of {@code gradquant args}. */
    static List<String> command(Transport transport, int ranks, List<String> args) {
        return command(transport, List.of(new App(ranks, args)));
    }

    /** One app context: {@code ranks} ranks running {@code gradquant args}. */
    record App(int ranks, List<String> args) {
    }

    /** The mpirun command for several app contexts (MPMD), ranks numbered in order. */
    static List<String> command(Transport transport, List<App> apps) {
        List<String> command = new ArrayList<>(List.of("mpirun", "--oversubscribe", "--bind-to", "none",
                "--mca", "btl", transport.btl));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-run-as-root");
        }
        if (transport == Transport.TCP) {
            command.addAll(List.of("--mca", "btl_tcp_if_include", "lo"));
        }
        for (int i = 0; i < apps.size(); i++) {
            if (i > 0) {
                command.add(":");
            }
            command.addAll(List.of("-np", Integer.toString(apps.get(i).ranks())));
            // a small JVM per rank, one PyTorch thread: several ranks share two cores
            command.addAll(JvmProcess.builder(List.of("-Xmx384m", "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.num_threads=1"), Main.class.getName(), apps.get(i).args(), Map.of()).command());
        }
        return command;
    }

    /**
     * Starts the command, its output to {@code log} (or to pipes when null), with UCX kept away from
     * the JVM's signals and the given variables added to the environment.
     */
    static Process start(List<String> command, Path log, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("UCX_ERROR_SIGNALS", "");
        builder.environment().putAll(environment);
        if (log != null) {
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        return builder.start();
    }

    /** Runs to completion (at most {@code seconds}) and returns what it printed. */
    static Result run(List<String> command, long seconds) throws IOException, InterruptedException {
        return run(command, seconds, Map.of());
    }

    /** As {@link #run(List, long)}, with variables added to the environment. */
    static Result run(List<String> command, long seconds, Map<String, String> environment)
            throws IOException, InterruptedException {
        Process p = start(command, null, environment);
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("mpirun did not finish in " + seconds + " s: " + command);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** The process of rank {@code rank} among the descendants of {@code mpirun}, read from its environment. */
    static ProcessHandle rank(Process mpirun, int rank) throws IOException {
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

    private static CompletableFuture<String> read(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return text;
    }
}
