package io.gradquant;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts another JVM on the test class path, for what must not happen inside the test JVM. */
public final class JvmProcess {
    private JvmProcess() {
    }

    /** Exit code and output of a finished JVM. */
    public record Result(int code, String out, String err) {
    }

    /** The directory of the CPU stand-in libcuda.so.1 (set by the Maven build). */
    public static Path standInDirectory() {
        String dir = System.getProperty("gradquant.test.standin.dir");
        return dir == null ? null : Paths.get(dir);
    }

    /**
     * A process builder for {@code java <jvmOptions> -cp <test class path> <mainClass> <args>} with
     * the environment edited: a null value removes the variable.
     */
    public static ProcessBuilder builder(List<String> jvmOptions, String mainClass, List<String> args,
            Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // small and quick to start: these JVMs run one short task
        command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        environment.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return pb;
    }

    /** Runs a JVM to completion (at most two minutes) and returns what it printed. */
    public static Result run(List<String> jvmOptions, String mainClass, List<String> args, Map<String, String> environment)
            throws IOException, InterruptedException {
        return finish(builder(jvmOptions, mainClass, args, environment).start());
    }

    /** Waits for a started JVM (at most two minutes) and returns what it printed. */
    public static Result finish(Process p) throws IOException, InterruptedException {
        return finish(p, 120);
    }

    /**
     * Waits for a started process (at most {@code seconds}; then it and its descendants are killed)
     * and returns what it printed.
     */
    public static Result finish(Process p, long seconds) throws IOException, InterruptedException {
        // read both streams on their own threads, so that neither pipe fills up and a hung child
        // cannot block the read past the timeout
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("a child process did not finish in " + seconds + " s: " + p.info().command().orElse("?"));
        }
        return new Result(p.exitValue(), out.join(), err.join());
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
