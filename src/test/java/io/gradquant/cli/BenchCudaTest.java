package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.CudaTesting;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code gradquant bench --backend cuda}: slots in device memory, quantized in place, encoded and
 * decoded through the address forms, against a device-to-device copy. Runs in the cuda test execution (the CPU stand-in driver here, a real one
 * on a GPU host), so it says that the plumbing works, not how fast a GPU is.
 */
@Tag("cuda")
class BenchCudaTest {
    @Test
    void benchRunsOnDeviceMemory() {
        CudaTesting.backend(); // fails or skips with the reason if there is no cuda backend
        // the stand-in runs a thread per CUDA thread: keep it small
        CliRunner.Result r = CliRunner.run("bench", "--json", "--backend", "cuda", "--elements", "3000",
                "--bucket-size", "512", "--repeats", "1", "--warmup", "0", "--quantizers", "none,standard,hadamard");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("cuda", o.get("backend").getAsString());
        assertEquals(1, o.get("threads").getAsInt());
        assertTrue(o.get("machine").getAsString().contains("compute capability"), o.get("machine").getAsString());
        double copy = o.get("copy_gbps").getAsDouble();
        assertTrue(copy > 0, "copy_gbps " + copy);
        JsonArray results = o.getAsJsonArray("results");
        assertEquals(3, results.size());
        for (var e : results) {
            JsonObject q = e.getAsJsonObject();
            assertEquals(q.get("gbps").getAsDouble() / copy, q.get("copy_ratio").getAsDouble(), 1e-9);
            BenchCommandTest.assertEncodeAndDecodeFigures(q, copy);
            // DJL here has PyTorch's CPU natives only: the GPU race cannot run, and says so on stderr
            if (!q.get("vs_djl_ops").isJsonNull()) {
                assertTrue(q.get("vs_djl_ops").getAsDouble() > 0, q.toString());
            }
        }
    }
}
