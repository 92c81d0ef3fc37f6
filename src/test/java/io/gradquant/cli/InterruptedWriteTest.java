package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.JvmProcess;
import io.gradquant.io.Npy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write stopped part-way leaves no hidden temporary file: SIGTERM and Ctrl-C (SIGINT) run the
 * shutdown hook that deletes it; after SIGKILL, which runs nothing, the next write of the same
 * target deletes it; a write still in progress in another process keeps its own.
 */
class InterruptedWriteTest {
    @TempDir
    Path dir;

    /** A child JVM stopped in the middle of writing {@code target}, its temporary file in place. */
    private Process startHangingWrite(Path target, List<String> prefix) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(JvmProcess.builder(List.of(), HangingWriteMain.class.getName(), List.of(target.toString()),
                Map.of()).command());
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"writing".equals(line)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not start writing: " + line);
        }
        assertEquals(1, temporaryFiles().size(), "the temporary file exists while writing: " + temporaryFiles());
        return p;
    }

    private List<String> temporaryFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    private static void awaitExit(Process p) throws InterruptedException {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not exit after the signal");
        }
    }

    @Test
    void sigtermDeletesTheTemporaryFile() throws Exception {
        Path target = dir.resolve("out.npy");
        Process p = startHangingWrite(target, List.of());
        p.destroy(); // SIGTERM
        awaitExit(p);
        assertEquals(143, p.exitValue(), "128 + SIGTERM");
        assertEquals(List.of(), temporaryFiles());
        assertFalse(Files.exists(target));
    }

    @Test
    void ctrlCDeletesTheTemporaryFile() throws Exception {
        Path target = dir.resolve("out.npy");
        // a JVM started with SIGINT ignored (a background job) keeps ignoring it: give the child the default
        List<String> defaultInt = List.of("env", "--default-signal=INT");
        assumeTrue(exitCode(List.of("env", "--default-signal=INT", "true")) == 0, "env --default-signal (coreutils 8.31)");
        Process p = startHangingWrite(target, defaultInt);
        assertEquals(0, exitCode(List.of("kill", "-INT", Long.toString(p.pid()))));
        awaitExit(p);
        assertEquals(130, p.exitValue(), "128 + SIGINT");
        assertEquals(List.of(), temporaryFiles());
        assertFalse(Files.exists(target));
    }

    @Test
    void afterSigkillTheNextWriteOfTheTargetDeletesTheLeftover() throws Exception {
        Path target = dir.resolve("out.npy");
        Process p = startHangingWrite(target, List.of());
        p.destroyForcibly(); // SIGKILL: no hook runs
        awaitExit(p);
        assertEquals(1, temporaryFiles().size(), "SIGKILL leaves the temporary file");

        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:1000", "--backend", "java", "--output",
                target.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), temporaryFiles(), "the next write of out.npy removed the leftover");
        assertEquals(1000, Npy.read(target).limit());
    }

    @Test
    void aWriteInProgressInAnotherProcessKeepsItsTemporaryFile() throws Exception {
        Path target = dir.resolve("out.npy");
        Process p = startHangingWrite(target, List.of());
        try {
            List<String> theirs = temporaryFiles();
            CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:1000", "--backend", "java",
                    "--output", target.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(theirs, temporaryFiles(), "a live writer's file is not a leftover");
            assertTrue(p.isAlive());
        } finally {
            p.destroy();
            awaitExit(p);
        }
        assertEquals(List.of(), temporaryFiles());
    }

    private static int exitCode(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
