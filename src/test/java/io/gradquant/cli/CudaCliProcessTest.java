package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.CudaTesting;
import io.gradquant.JvmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cuda backend's probe, seen from the command line in fresh JVMs: without a driver (this
 * machine), with the CPU stand-in driver in its failure modes (no device, a driver older than
 * CUDA 13, compute capability 7.0), and working. Every failure is a reason on one line, auto falls
 * back to cpu, nothing crashes or prints a stack trace; with the stand-in, quantize --backend cuda
 * writes exactly what --backend cpu writes.
 */
class CudaCliProcessTest {
    static final String MAIN = "io.gradquant.cli.Main";

    static Map<String, String> standIn(String... settings) {
        // a build without kernels would have that as the reason for everything
        Path dir = CudaTesting.standInWithKernels();
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", dir.toString());
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return env;
    }

    static Map<String, String> noDriver() {
        Map<String, String> env = new HashMap<>();
        env.put("LD_LIBRARY_PATH", null);
        return env;
    }

    static JsonObject cudaStatus(JsonObject info) {
        for (var b : info.getAsJsonArray("backends")) {
            if (b.getAsJsonObject().get("name").getAsString().equals("cuda")) {
                return b.getAsJsonObject();
            }
        }
        throw new AssertionError("no cuda entry in " + info);
    }

    static JsonObject info(Map<String, String> env) throws Exception {
        JvmProcess.Result r = JvmProcess.run(List.of(), MAIN, List.of("info", "--json"), env);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err(), "info printed on stderr");
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("GQ_STANDIN_DEVICES", "0", "cuInit returned CUDA_ERROR_NO_DEVICE (the driver sees no device)"),
                Arguments.of("GQ_STANDIN_DRIVER_VERSION", "12040",
                        "the driver supports CUDA 12.4, the kernels need CUDA 13.0 or newer"),
                Arguments.of("GQ_STANDIN_CC", "7.0", "has compute capability 7.0, the kernels need 7.5 or newer"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("failures")
    void standInFailuresAreReportedAndAutoFallsBack(String variable, String value, String reason) throws Exception {
        JsonObject info = info(standIn(variable, value));
        JsonObject cuda = cudaStatus(info);
        assertFalse(cuda.get("available").getAsBoolean());
        assertTrue(cuda.get("detail").getAsString().contains(reason), cuda.toString());
        assertEquals("cpu", info.get("auto").getAsString());
        assertTrue(info.get("auto_reason").getAsString().contains("cuda unavailable: " + cuda.get("detail").getAsString()));
    }

    @Test
    void anMpiRankUsesTheDeviceOfItsRankOnTheNode() throws Exception {
        JsonObject rank3 = cudaStatus(info(standIn("GQ_STANDIN_DEVICES", "2", "OMPI_COMM_WORLD_LOCAL_RANK", "3")));
        assertTrue(rank3.get("available").getAsBoolean(), rank3.toString());
        assertTrue(rank3.get("detail").getAsString().contains("(device 1, "), rank3.toString());

        JvmProcess.Result r = JvmProcess.run(List.of("-Dgradquant.cuda.device=2"), MAIN, List.of("info", "--json"),
                standIn("GQ_STANDIN_DEVICES", "2", "OMPI_COMM_WORLD_LOCAL_RANK", "1"));
        assertEquals(0, r.code(), r.err());
        JsonObject outOfRange = cudaStatus(JsonParser.parseString(r.out()).getAsJsonObject());
        assertFalse(outOfRange.get("available").getAsBoolean());
        assertTrue(outOfRange.get("detail").getAsString().contains("gradquant.cuda.device=2 but there are 2 devices (0 to 1)"),
                outOfRange.toString());
    }

    @Test
    void withoutADriverCudaIsUnavailableWithTheReason() throws Exception {
        JsonObject info = info(noDriver());
        JsonObject cuda = cudaStatus(info);
        assumeTrue(!cuda.get("available").getAsBoolean(), "this machine has a working CUDA driver");
        String detail = cuda.get("detail").getAsString();
        // on a machine with a driver too old or no device the reason differs; here there is none
        assumeTrue(detail.contains("libcuda.so.1"), detail);
        assertEquals("no NVIDIA driver: libcuda.so.1: cannot open shared object file: No such file or directory", detail);
        assertEquals("cpu", info.get("auto").getAsString());

        JvmProcess.Result q = JvmProcess.run(List.of(), MAIN,
                List.of("quantize", "--backend", "cuda", "--synthetic", "normal:1000"), noDriver());
        assertEquals(1, q.code());
        assertEquals("", q.out());
        assertEquals("gradquant: error: backend cuda is unavailable: " + detail, q.err().strip());
    }

    @Test
    void standInQuantizesExactlyAsCpu(@TempDir Path dir) throws Exception {
        JsonObject cuda = cudaStatus(info(standIn()));
        assertTrue(cuda.get("available").getAsBoolean(), cuda.toString());
        assertTrue(cuda.get("detail").getAsString().contains("self-test passed"), cuda.toString());
        for (String quantizer : List.of("standard", "smart", "hadamard", "exponential")) {
            JsonObject[] reports = new JsonObject[2];
            byte[][] outputs = new byte[2][];
            String[] backends = {"cpu", "cuda"};
            for (int b = 0; b < 2; b++) {
                Path out = dir.resolve(quantizer + "-" + backends[b] + ".npy");
                JvmProcess.Result r = JvmProcess.run(List.of(), MAIN, List.of("quantize", "--backend", backends[b],
                        "--quantizer", quantizer, "--synthetic", "laplace:20000", "--bucket-size", "1000", "--repeat", "2",
                        "--output", out.toString(), "--json"), standIn());
                assertEquals(0, r.code(), r.err());
                reports[b] = JsonParser.parseString(r.out()).getAsJsonObject();
                outputs[b] = Files.readAllBytes(out);
            }
            assertArrayEquals(outputs[0], outputs[1], quantizer + ": the outputs differ");
            for (String field : List.of("relative_mse", "relative_bias", "max_levels_per_bucket", "non_finite_buckets")) {
                assertEquals(reports[0].get(field), reports[1].get(field), quantizer + " " + field);
            }
            double v0 = reports[0].get("variance").getAsDouble();
            double v1 = reports[1].get("variance").getAsDouble();
            // the variance is a sum: its rounding depends on the order of additions
            assertEquals(v0, v1, 1e-12 * v0, quantizer + " variance");
            assertEquals("cuda", reports[1].get("backend").getAsString());
        }
    }
}
