package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.backend.CudaBackend;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code gradquant bench} on small inputs: every field, consistent ratios, usage errors. */
class BenchCommandTest {
    private static final Set<String> FIELDS = Set.of("machine", "backend", "elements", "bucket_size", "threads",
            "copy_gbps", "results", "small_input");
    private static final Set<String> RESULT_FIELDS = Set.of("quantizer", "gbps", "elements_per_second", "copy_ratio",
            "vs_djl_ops", "encode_gbps", "encode_copy_ratio", "decode_gbps", "decode_copy_ratio");
    private static final List<String> ALL = List.of("none", "standard", "smart", "hadamard", "exponential");
    /** Quantizers raced against a DJL NDArray composition. */
    private static final Set<String> COMPOSED = Set.of("standard", "hadamard", "exponential");

    @ParameterizedTest
    @CsvSource({"java,1", "cpu,2"})
    void jsonHasEveryFieldForEveryQuantizer(String backend, int threads) {
        CliRunner.Result r = CliRunner.run("bench", "--json", "--backend", backend, "--threads", "2",
                "--elements", "3000", "--bucket-size", "256", "--repeats", "3", "--warmup", "1", "--small-elements", "500");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject(); // exactly one object: parse fails on more
        assertEquals(FIELDS, o.keySet());
        assertEquals(backend, o.get("backend").getAsString());
        assertEquals(3000, o.get("elements").getAsLong());
        assertEquals(256, o.get("bucket_size").getAsInt());
        assertEquals(threads, o.get("threads").getAsInt());
        String machine = o.get("machine").getAsString();
        assertTrue(machine.contains(" cores"), machine);
        assertEquals(backend.equals("cpu"), machine.endsWith(" loops"), machine);
        double copy = o.get("copy_gbps").getAsDouble();
        assertTrue(copy > 0 && Double.isFinite(copy), "copy_gbps " + copy);
        JsonArray results = o.getAsJsonArray("results");
        assertEquals(ALL.size(), results.size());
        for (int i = 0; i < ALL.size(); i++) {
            JsonObject q = results.get(i).getAsJsonObject();
            String name = ALL.get(i);
            assertEquals(RESULT_FIELDS, q.keySet(), name);
            assertEquals(name, q.get("quantizer").getAsString());
            double gbps = q.get("gbps").getAsDouble();
            double eps = q.get("elements_per_second").getAsDouble();
            assertTrue(gbps > 0 && Double.isFinite(gbps), name + " gbps " + gbps);
            assertEquals(8 * eps / 1e9, gbps, 1e-9 * gbps, name + ": gbps counts 8 bytes per element");
            assertEquals(gbps / copy, q.get("copy_ratio").getAsDouble(), 1e-9 * gbps / copy, name + " copy_ratio");
            assertEncodeAndDecodeFigures(q, copy);
            JsonElement vs = q.get("vs_djl_ops");
            if (COMPOSED.contains(name)) {
                assertTrue(vs.getAsDouble() > 0, name + " vs_djl_ops " + vs);
            } else {
                assertTrue(vs.isJsonNull(), name + " vs_djl_ops " + vs);
            }
        }
        JsonObject small = o.getAsJsonObject("small_input");
        assertEquals(500, small.get("elements").getAsLong());
        JsonArray smallResults = small.getAsJsonArray("results");
        assertEquals(ALL.size(), smallResults.size());
        for (int i = 0; i < ALL.size(); i++) {
            JsonObject q = smallResults.get(i).getAsJsonObject();
            String name = ALL.get(i);
            assertEquals(Set.of("quantizer", "seconds", "per_value_vs_large"), q.keySet(), name);
            assertEquals(name, q.get("quantizer").getAsString());
            double seconds = q.get("seconds").getAsDouble();
            double perValue = q.get("per_value_vs_large").getAsDouble();
            double large = results.get(i).getAsJsonObject().get("elements_per_second").getAsDouble();
            assertTrue(seconds > 0 && Double.isFinite(seconds), name + " seconds " + seconds);
            assertEquals(seconds / 500 * large, perValue, 1e-9 * perValue, name + ": per-value time over the large input's");
        }
    }

    @Test
    void smallInputRowsFollowTheTableAndAreSkippedWhenNotSmaller() {
        CliRunner.Result table = CliRunner.run("bench", "--backend", "cpu", "--elements", "2000", "--repeats", "1",
                "--warmup", "0", "--quantizers", "standard", "--no-djl-ops", "--small-elements", "300");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("small input: 300 values"), table.out());
        CliRunner.Result none = CliRunner.run("bench", "--json", "--backend", "cpu", "--elements", "2000",
                "--repeats", "1", "--warmup", "0", "--quantizers", "standard", "--no-djl-ops");
        assertEquals(0, none.code(), none.err());
        assertTrue(JsonParser.parseString(none.out()).getAsJsonObject().get("small_input").isJsonNull(), none.out());
    }

    @Test
    void theSharedQuantizerOptionsReachTheBenchAndABucketLongerThanTheInputIsOneBucket() {
        // exponential with the max norm: the DJL composition divides by the L2 norm, so there is nothing to race;
        // a billion-value bucket on 2000 values: the composition's rows are sized by the input, not the bucket
        CliRunner.Result r = CliRunner.run("bench", "--json", "--backend", "cpu", "--threads", "1", "--elements",
                "2000", "--repeats", "1", "--warmup", "0", "--quantizers", "exponential,standard", "--norm", "max",
                "--layout", "per-segment", "--bucket-size", "1000000000");
        assertEquals(0, r.code(), r.err());
        JsonObject o = StrictJson.parse(r.out()).getAsJsonObject();
        assertEquals(1000000000, o.get("bucket_size").getAsInt());
        JsonArray results = o.getAsJsonArray("results");
        assertTrue(results.get(0).getAsJsonObject().get("vs_djl_ops").isJsonNull(), results.toString());
        assertTrue(results.get(1).getAsJsonObject().get("vs_djl_ops").getAsDouble() > 0, results.toString());
    }

    @Test
    void tableListsTheAskedQuantizersInOrderAndNoDjlOpsMeansNull() {
        CliRunner.Result table = CliRunner.run("bench", "--backend", "cpu", "--elements", "1000", "--repeats", "1",
                "--warmup", "0", "--quantizers", "exponential,standard", "--no-djl-ops");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("copy "), table.out());
        assertTrue(table.out().contains("load avg"), table.out());
        int exponential = table.out().indexOf("\nexponential ");
        int standard = table.out().indexOf("\nstandard ");
        assertTrue(exponential > 0 && standard > exponential, table.out());
        assertTrue(!table.out().contains("\nsmart "), table.out());

        CliRunner.Result json = CliRunner.run("bench", "--json", "--backend", "cpu", "--elements", "1000",
                "--repeats", "1", "--warmup", "0", "--quantizers", "standard", "--no-djl-ops");
        assertEquals(0, json.code(), json.err());
        JsonArray results = JsonParser.parseString(json.out()).getAsJsonObject().getAsJsonArray("results");
        assertEquals(1, results.size());
        assertTrue(results.get(0).getAsJsonObject().get("vs_djl_ops").isJsonNull());
    }

    @Test
    void anInputSmallerThanOneBucketWorksEverywhere() {
        // the DJL compositions pad the single partial bucket to a whole row (hadamard to 1024 values)
        CliRunner.Result r = CliRunner.run("bench", "--json", "--backend", "cpu", "--elements", "7",
                "--bucket-size", "1000", "--repeats", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        JsonArray results = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("results");
        assertEquals(ALL.size(), results.size());
        for (JsonElement e : results) {
            assertTrue(e.getAsJsonObject().get("gbps").getAsDouble() > 0, e.toString());
        }
    }

    @Test
    void autoSaysWhichBackendOnStderr() {
        CliRunner.Result r = CliRunner.run("bench", "--json", "--elements", "500", "--repeats", "1", "--warmup", "0",
                "--quantizers", "none", "--no-djl-ops");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("gradquant: bench: auto chose "), r.err());
        JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--elements 0|--elements 0 is not allowed",
        "--elements 268435457|--elements 268435457 is not allowed",
        "--repeats 0|--repeats 0 is not allowed",
        "--warmup -1|--warmup -1 is not allowed",
        "--threads -1|--threads -1 is not allowed",
        "--bucket-size 0|bucket size 0 is not allowed",
        "--levels 300|levels 300 is not allowed",
        "--levels 3|levels 3 is not allowed for exponential",
        "--quantizers standard,standard|names a quantizer twice",
        "--quantizers standard,fast|unknown quantizer 'fast'",
        "--backend gpu|unknown backend 'gpu'",
        "--elements many|'many' is not an int"})
    void badOptionsAreUsageErrors(String caseText) {
        String[] parts = caseText.split("\\|");
        String[] options = parts[0].split(" ");
        String[] args = new String[options.length + 1];
        args[0] = "bench";
        System.arraycopy(options, 0, args, 1, options.length);
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("gradquant: error: "), r.err());
        assertTrue(r.err().contains(parts[1]), r.err());
        assertEquals("", r.out());
    }

    /** Every backend encodes and decodes: each quantizer's figures are there and agree with the copy. */
    static void assertEncodeAndDecodeFigures(JsonObject q, double copy) {
        String name = q.get("quantizer").getAsString();
        for (String op : new String[] {"encode", "decode"}) {
            double opGbps = q.get(op + "_gbps").getAsDouble();
            assertTrue(opGbps > 0 && Double.isFinite(opGbps), name + " " + op + "_gbps " + opGbps);
            // gbps counts 4 bytes per element, the copy 8: the time ratio is twice the rate ratio
            assertEquals(2 * opGbps / copy, q.get(op + "_copy_ratio").getAsDouble(), 1e-9 * opGbps / copy,
                    name + " " + op + "_copy_ratio");
        }
    }

    @Test
    void anUnavailableBackendIsARuntimeError() {
        String reason = CudaBackend.unavailableReason();
        assumeTrue(reason != null, "this JVM has a working cuda backend");
        CliRunner.Result r = CliRunner.run("bench", "--backend", "cuda", "--elements", "100");
        assertEquals(1, r.code(), r.err());
        assertEquals("gradquant: error: backend cuda is unavailable: " + reason, r.err().strip());
    }
}
