package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.gradquant.CudaTesting;
import io.gradquant.JvmProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 40 JVMs started at once with one empty temporary directory all load JCuda's natives and call the
 * (stand-in) driver: none crashes. JCuda's own unpacking into a shared temporary directory is not
 * atomic, and in this very setting crashed 2 to 8 of 40 with SIGBUS; the pre-seeding must not.
 */
class JCudaNativesConcurrencyTest {
    static final int JVMS = 40;

    @Test
    void fortyJvmsLoadTheNativesAtOnce(@TempDir Path dir) throws Exception {
        Path standIn = CudaTesting.standIn();
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path work = Files.createDirectory(dir.resolve("work")); // where a crashing JVM leaves hs_err_pid*.log
        Path go = dir.resolve("go");
        List<Process> processes = new ArrayList<>();
        try {
            for (int i = 0; i < JVMS; i++) {
                ProcessBuilder pb = JvmProcess.builder(List.of("-Djava.io.tmpdir=" + tmp, "-Xmx32m"),
                        NativesLoadMain.class.getName(), List.of(go.toString()),
                        Map.of("LD_LIBRARY_PATH", standIn.toString()));
                processes.add(pb.directory(work.toFile()).start());
            }
            for (Process p : processes) { // every child has started its JVM and waits
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", r.readLine());
            }
            Files.createFile(go);
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < JVMS; i++) {
                JvmProcess.Result r = JvmProcess.finish(processes.get(i));
                if (r.code() != 0 || !r.out().contains("loaded cuInit=0 cuDriverGetVersion=0 version=13000")) {
                    failures.add("JVM " + i + " exit " + r.code() + ": " + r.out().strip() + " " + r.err().strip());
                }
            }
            assertTrue(failures.isEmpty(), failures.size() + " of " + JVMS + " failed: " + failures);
            try (Stream<Path> crashes = Files.list(work)) {
                assertEquals(List.of(), crashes.map(Path::toString).toList(), "crash logs");
            }
            try (Stream<Path> files = Files.list(tmp)) {
                // one library, no partial files left behind
                assertEquals(List.of(JCudaNatives.fileName(JCudaNatives.DRIVER)),
                        files.filter(f -> !Files.isDirectory(f)).map(f -> f.getFileName().toString()).toList());
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }
}
