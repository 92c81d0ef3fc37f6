package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gradquant.backend.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A project that depends on io.gradquant:gradquant gets gradquant and JCuda (the cuda backend is
 * part of the core) and nothing else: no DJL, no PyTorch natives, no XChart, no picocli, no JCublas,
 * no Gson, no SLF4J. Checked twice: on the runtime dependencies Maven resolved for this project
 * (maven-dependency-plugin's list), and on the class path the tests run with.
 */
class ClassPathTest {
    /** What the core artifact brings: groupId:artifactId[:classifier]. */
    static final Set<String> EXPECTED = Set.of("io.gradquant:gradquant", "org.jcuda:jcuda",
            "org.jcuda:jcuda-natives:linux-x86_64");

    /** Coordinates (a groupId, or groupId:artifactId) that must never reach a core user, and what they are. */
    static final Map<String, String> BANNED = Map.of(
            "ai.djl", "DJL",
            "ai.djl.pytorch", "DJL's PyTorch engine and the PyTorch natives",
            "org.knowm.xchart", "XChart",
            "info.picocli", "picocli",
            "org.jcuda:jcublas", "JCublas",
            "org.jcuda:jcublas-natives", "JCublas' natives",
            "com.google.code.gson", "Gson",
            "org.slf4j", "SLF4J (slf4j-simple is a logging provider, a library must not choose one)");

    /** A class of each banned part, which the test class path must not have. */
    static final Map<String, String> BANNED_CLASSES = Map.of(
            "ai.djl.ndarray.NDArray", "DJL",
            "ai.djl.pytorch.engine.PtEngine", "DJL's PyTorch engine",
            "org.knowm.xchart.XYChart", "XChart",
            "picocli.CommandLine", "picocli",
            "jcuda.jcublas.JCublas2", "JCublas",
            "com.google.gson.Gson", "Gson",
            "org.slf4j.LoggerFactory", "SLF4J",
            "org.slf4j.simple.SimpleLogger", "slf4j-simple");

    @Test
    void resolvedRuntimeDependenciesAreExactlyTheCore() throws IOException {
        Set<String> resolved = runtimeDependencies();
        List<String> banned = new ArrayList<>();
        for (String coordinates : resolved) {
            String[] parts = coordinates.split(":");
            String what = BANNED.getOrDefault(parts[0], BANNED.get(parts[0] + ":" + parts[1]));
            if (what != null) {
                banned.add(coordinates + " (" + what + ")");
            }
        }
        if (!banned.isEmpty()) {
            fail("BANNED on the class path of a project that depends on io.gradquant:gradquant: " + banned
                    + ". Mark the dependency <optional>true</optional> in gradquant's pom.xml (docs/testing.md).");
        }
        assertEquals(new TreeSet<>(EXPECTED), resolved,
                "the core artifact must bring exactly gradquant and JCuda (update EXPECTED only for a dependency"
                + " the quantizers need)");
    }

    @Test
    void testClassPathHasNoneOfTheOptionalParts() throws ClassNotFoundException {
        List<String> found = new ArrayList<>();
        ClassLoader loader = ClassPathTest.class.getClassLoader();
        BANNED_CLASSES.forEach((name, what) -> {
            try {
                Class.forName(name, false, loader);
                found.add(name + " (" + what + ")");
            } catch (ClassNotFoundException expected) {
                // absent, as it must be
            }
        });
        assertTrue(found.isEmpty(), "BANNED classes on a core user's class path: " + found);
        // and what the core needs is there (not initialised: no JCuda native is loaded)
        Class.forName("io.gradquant.Quantizer", false, loader);
        Class.forName("jcuda.driver.JCudaDriver", false, loader);
    }

    @Test
    void everyBackendProbesWithoutTheOptionalParts() {
        // the probes touch the whole core: java, the JNI library, and JCuda (which finds no driver
        // here, or a GPU); none may need a class of an optional part
        List<String> names = new ArrayList<>();
        for (Backends.Status s : Backends.probe()) {
            names.add(s.name());
            assertTrue(s.available() || !(s.detail().contains("NoClassDefFoundError")
                    || s.detail().startsWith("JCuda is not on the class path")), s.toString());
            if (s.name().equals("java") || s.name().equals("cpu")) {
                assertTrue(s.available(), s.toString());
            }
        }
        assertEquals(List.of("cuda", "cpu", "java"), names, "backends probed");
    }

    /** groupId:artifactId[:classifier] of each runtime dependency in maven-dependency-plugin's list. */
    static Set<String> runtimeDependencies() throws IOException {
        Path list = Paths.get(System.getProperty("consumer.runtime.dependencies"));
        Set<String> coordinates = new TreeSet<>();
        for (String line : Files.readAllLines(list)) {
            // "   group:artifact:type[:classifier]:version:scope -- module ..."
            String[] token = line.strip().split("\\s+")[0].split(":");
            if (token.length == 5) {
                coordinates.add(token[0] + ":" + token[1]);
            } else if (token.length == 6) {
                coordinates.add(token[0] + ":" + token[1] + ":" + token[3]);
            }
        }
        assertTrue(coordinates.contains("io.gradquant:gradquant"), "no gradquant in " + list + ":\n"
                + String.join("\n", Files.readAllLines(list)));
        return coordinates;
    }
}
