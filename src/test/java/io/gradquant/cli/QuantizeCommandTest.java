package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.io.Npy;
import io.gradquant.io.NpyArray;
import io.gradquant.reference.JavaBackend;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizeCommandTest {
    private static final Set<String> FIELDS = Set.of("input", "quantizer", "backend", "elements", "bucket_size",
            "levels", "seed", "repeats", "variance", "normalized_variance", "relative_mse", "relative_bias",
            "max_levels_per_bucket", "non_finite_buckets", "seconds", "encoded_bytes", "bits_per_value",
            "compression_ratio");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"none,java", "none,cpu", "standard,java", "standard,cpu", "smart,java", "smart,cpu",
        "hadamard,java", "hadamard,cpu", "exponential,java", "exponential,cpu"})
    void jsonReportMakesSense(String quantizer, String backend) {
        JsonObject o = json("quantize", "--json", "--synthetic", "normal:20000", "--repeat", "8",
                "--quantizer", quantizer, "--backend", backend);
        assertEquals(FIELDS, o.keySet());
        assertEquals("normal:20000", o.get("input").getAsString());
        assertEquals(quantizer, o.get("quantizer").getAsString());
        assertEquals(backend, o.get("backend").getAsString());
        assertEquals(20000, o.get("elements").getAsLong());
        assertEquals(512, o.get("bucket_size").getAsInt());
        assertEquals(16, o.get("levels").getAsInt());
        assertEquals(1, o.get("seed").getAsLong());
        assertEquals(8, o.get("repeats").getAsInt());
        assertEquals(0, o.get("non_finite_buckets").getAsLong());
        assertTrue(o.get("seconds").getAsDouble() >= 0);
        double variance = o.get("variance").getAsDouble();
        double mse = o.get("relative_mse").getAsDouble();
        double normalized = o.get("normalized_variance").getAsDouble();
        double bias = o.get("relative_bias").getAsDouble();
        int maxLevels = o.get("max_levels_per_bucket").getAsInt();
        if (quantizer.equals("none")) {
            assertEquals(0.0, mse);
            assertEquals(0.0, variance);
            assertEquals(0.0, normalized);
            assertEquals(0.0, bias);
            assertTrue(maxLevels > 16, "unquantized normal values are all distinct: " + maxLevels);
            return;
        }
        assertTrue(mse > 0 && mse < 1, "relative_mse " + mse);
        assertTrue(variance > 0, "variance " + variance);
        // the variance statistic is the expected squared error: over 8 x 20000 values they agree closely
        assertEquals(1.0, normalized / mse, 0.05, "normalized_variance " + normalized + " vs relative_mse " + mse);
        // unbiased: the error of the mean of 8 outputs is about sqrt(mse / 8), far below sqrt(mse)
        assertTrue(bias > 0 && bias < 0.6 * Math.sqrt(mse), "relative_bias " + bias + " with mse " + mse);
        if (!quantizer.equals("hadamard")) { // hadamard rounds in the rotated domain: any value can come back
            assertTrue(maxLevels >= 2 && maxLevels <= 16, "max_levels_per_bucket " + maxLevels);
        }
    }

    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void javaAndCpuAgree(QuantizerType type) {
        String[] args = {"quantize", "--json", "--synthetic", "laplace:20000", "--repeat", "3", "--levels", "8",
            "--bucket-size", "300", "--quantizer", type.cliName(), "--backend"};
        JsonObject java = json(append(args, "java"));
        JsonObject cpu = json(append(args, "cpu"));
        // outputs are equal element for element, so everything computed from them is too
        for (String field : new String[] {"relative_mse", "relative_bias", "max_levels_per_bucket"}) {
            assertEquals(java.get(field).getAsDouble(), cpu.get(field).getAsDouble(), 0.0, field);
        }
        // the variance statistic is summed in vector lanes by the cpu backend: equal up to rounding
        for (String field : new String[] {"variance", "normalized_variance"}) {
            assertEquals(java.get(field).getAsDouble(), cpu.get(field).getAsDouble(),
                    1e-12 * java.get(field).getAsDouble(), field);
        }
    }

    @Test
    void multiThreadedCpuGivesTheSameOutputAsJava() {
        String[] args = {"quantize", "--json", "--synthetic", "normal:300000", "--backend"};
        JsonObject java = json(append(args, "java"));
        JsonObject cpu = json(append(append(args, "cpu"), "--threads", "4"));
        // outputs are equal element for element, so everything computed from them is too
        assertEquals(java.get("relative_mse").getAsDouble(), cpu.get("relative_mse").getAsDouble(), 0.0);
        assertEquals(java.get("max_levels_per_bucket").getAsInt(), cpu.get("max_levels_per_bucket").getAsInt());
        // the variance statistic is summed per thread, then across threads: equal up to rounding
        assertEquals(java.get("variance").getAsDouble(), cpu.get("variance").getAsDouble(),
                1e-12 * java.get("variance").getAsDouble());
    }

    @Test
    void outputHoldsTheFirstRepeatOfTheQuantizer() throws IOException {
        Path out = dir.resolve("q.npy");
        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "uniform:3000", "--bucket-size", "100",
                "--levels", "4", "--seed", "7", "--repeat", "3", "--backend", "java", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        NpyArray written = Npy.readArray(out);
        assertArrayEquals(new long[] {3000}, written.shape());

        // the same input quantized through the API at step 0
        FloatBuffer input = FloatBuffer.allocate(3000);
        Synthetic.parse("uniform:3000").fill(input, 7);
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(100).levels(4).seed(7).build();
        new JavaBackend().quantize(spec, 0, Segments.of(input));
        assertArrayEquals(toArray(input), toArray(written.data()));
    }

    @Test
    void inputFileIsReadAndItsShapeKeptInTheOutput() throws IOException {
        float[] values = new float[600];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 7) - 3.25f;
        }
        Path in = dir.resolve("in.npy");
        Npy.write(in, new long[] {20, 30}, FloatBuffer.wrap(values));
        Path out = dir.resolve("out.npy");
        JsonObject o = json("quantize", "--json", "--input", in.toString(), "--quantizer", "none",
                "--backend", "cpu", "--output", out.toString());
        assertEquals(in.toString(), o.get("input").getAsString());
        assertEquals(600, o.get("elements").getAsLong());
        assertEquals(7, o.get("max_levels_per_bucket").getAsInt());
        NpyArray back = Npy.readArray(out);
        assertArrayEquals(new long[] {20, 30}, back.shape());
        assertArrayEquals(values, toArray(back.data()));
    }

    @Test
    void nonFiniteBucketsAreCountedAndLeftOutOfTheRatios() throws IOException {
        float[] values = new float[1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.cos(i);
        }
        values[700] = Float.NaN;
        Path in = dir.resolve("nan.npy");
        Npy.write(in, FloatBuffer.wrap(values));
        JsonObject o = json("quantize", "--json", "--input", in.toString(), "--backend", "java", "--repeat", "2");
        assertEquals(1, o.get("non_finite_buckets").getAsLong());
        assertTrue(Double.isFinite(o.get("relative_mse").getAsDouble()));
        assertTrue(o.get("relative_mse").getAsDouble() > 0);
        assertTrue(o.get("max_levels_per_bucket").getAsInt() <= 16);
    }

    @Test
    void oneRepeatBiasIsTheRootOfTheError() {
        JsonObject o = json("quantize", "--json", "--synthetic", "normal:5000", "--backend", "java");
        assertEquals(Math.sqrt(o.get("relative_mse").getAsDouble()), o.get("relative_bias").getAsDouble(), 1e-15);
    }

    @Test
    void syntheticInputDependsOnTheSeedOnly() {
        String[] args = {"quantize", "--json", "--synthetic", "normal:4000", "--backend", "java", "--seed"};
        double a = json(append(args, "5")).get("relative_mse").getAsDouble();
        double b = json(append(args, "5")).get("relative_mse").getAsDouble();
        double c = json(append(args, "6")).get("relative_mse").getAsDouble();
        assertEquals(a, b, 0.0);
        assertNotEquals(a, c);
    }

    @Test
    void textOutputHasOneLinePerField() {
        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:1000", "--backend", "java");
        assertEquals(0, r.code(), r.err());
        assertEquals(FIELDS.size(), r.out().lines().count(), r.out());
        for (String field : FIELDS) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(field + " ")), field + " missing:\n" + r.out());
        }
        assertTrue(r.out().contains("quantizer              standard"), r.out());
    }

    @Test
    void autoSaysWhyOnStderrAndKeepsStdoutPureJson() {
        CliRunner.Result r = CliRunner.run("quantize", "--json", "--synthetic", "normal:1000");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject(); // the whole of stdout is one object
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("gradquant: auto chose " + o.get("backend").getAsString()), r.err());
    }

    @Test
    void levelsOneIsAUsageErrorAndWritesNothing() {
        Path out = dir.resolve("never.npy");
        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:1000", "--levels", "1",
                "--output", out.toString());
        assertEquals(2, r.code());
        assertOneErrorLine(r, "levels 1", "[2, 256]");
        assertEquals("", r.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void cudaIsReportedAsUnavailableWithoutAStackTrace() {
        Path out = dir.resolve("never.npy");
        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:1000", "--backend", "cuda",
                "--output", out.toString());
        assertNotEquals(0, r.code());
        assertOneErrorLine(r, "cuda", "unavailable");
        assertFalse(Files.exists(out));
    }

    @Test
    void badInputFilesAreRuntimeErrorsNamingTheFile() throws IOException {
        Path missing = dir.resolve("missing.npy");
        CliRunner.Result r = CliRunner.run("quantize", "--input", missing.toString(), "--backend", "java");
        assertEquals(1, r.code());
        assertOneErrorLine(r, missing.toString(), "no such file");

        Path bad = Files.writeString(dir.resolve("bad.npy"), "definitely not numpy");
        r = CliRunner.run("quantize", "--input", bad.toString(), "--backend", "java");
        assertEquals(1, r.code());
        assertOneErrorLine(r, bad.toString(), "not a .npy file");
    }

    @Test
    void badOptionsAreUsageErrors() {
        String[][] cases = {
            {"no input", "Missing required argument", "--input", "--synthetic"},
            {"--input x.npy --synthetic normal:5", "mutually exclusive"},
            {"--synthetic gauss:5", "unknown distribution 'gauss'", "normal, laplace, uniform"},
            {"--synthetic normal:0", "'--synthetic'", "element count 0", "[1, 536870911]"},
            {"--synthetic normal", "is not DIST:N"},
            {"--synthetic normal:5 --quantizer fancy", "unknown quantizer 'fancy'", "none, standard, smart"},
            {"--synthetic normal:5 --backend gpu", "unknown backend 'gpu'", "auto, java, cpu, cuda"},
            {"--synthetic normal:5 --norm l1", "unknown norm 'l1'", "l2, max"},
            {"--synthetic normal:5 --bucket-size 0", "bucket size 0", ">= 1"},
            {"--synthetic normal:5 --quantizer exponential --levels 3", "levels 3", "[4, 256]"},
            {"--synthetic normal:5 --smart-fraction 0", "smart fraction 0.0", "(0, 1]"},
            {"--synthetic normal:5 --repeat 0", "--repeat 0", ">= 1"},
            {"--synthetic normal:5 --threads -2", "--threads -2", ">= 1, or 0"},
            {"--synthetic normal:5 --levels many", "'many' is not an int"},
            {"--synthetic normal:3000000000", "'--synthetic'", "element count 3000000000", "[1, 536870911]"},
            {"--synthetic normal:5 --layout diagonal", "'--layout'", "unknown layout 'diagonal'",
                "spanning, per-segment"},
            {"--synthetic normal:5 --output /no/such/dir/x.npy", "directory /no/such/dir does not exist"},
            {"--synthetic normal:5 --frobnicate", "Unknown option: '--frobnicate'"},
        };
        for (String[] c : cases) {
            String[] args = c[0].equals("no input") ? new String[0] : c[0].split(" ");
            CliRunner.Result r = CliRunner.run(append(new String[] {"quantize"}, args));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertOneErrorLine(r, Arrays.copyOfRange(c, 1, c.length));
            assertEquals("", r.out(), c[0]);
        }
    }

    // ---- helpers ----

    private static JsonObject json(String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    private static void assertOneErrorLine(CliRunner.Result r, String... fragments) {
        String err = r.err();
        assertEquals(1, err.lines().count(), "one line on stderr:\n" + err);
        assertTrue(err.startsWith("gradquant: error: "), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' not in: " + err);
        }
    }

    private static String[] append(String[] a, String... more) {
        String[] all = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return all;
    }

    private static float[] toArray(FloatBuffer b) {
        float[] a = new float[b.limit()];
        b.get(0, a);
        return a;
    }
}
