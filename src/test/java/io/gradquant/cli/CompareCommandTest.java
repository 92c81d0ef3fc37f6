package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.gradquant.harness.LearnableFashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gradquant compare} end to end on generated Fashion-MNIST files, with an MLP. */
class CompareCommandTest {
    private static final List<String> QUANTIZERS = List.of("none", "standard", "smart", "hadamard", "exponential");

    @TempDir
    static Path root;
    static Path data;
    static Path out;
    static CliRunner.Result result;

    @BeforeAll
    static void compare() throws Exception {
        data = LearnableFashionMnist.write(Files.createDirectory(root.resolve("data")), 160, 60);
        out = root.resolve("out");
        result = CliRunner.run(args(out));
    }

    private static String[] args(Path dir, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("compare", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", data.toString(), "--batch-size", "32", "--max-steps-per-epoch", "3",
                "--threads", "1", "--out", dir.toString()));
        if (!List.of(extra).contains("--lr")) {
            args.addAll(List.of("--lr", "0.05"));
        }
        args.addAll(List.of(extra.length > 0 ? extra : new String[] {"--epochs", "2", "--variance-steps", "4"}));
        return args.toArray(new String[0]);
    }

    @Test
    void printsTheTableAndWritesCompareJsonWithEveryField() throws Exception {
        assertEquals(0, result.code(), result.err());
        for (String row : List.of("test accuracy", "time per epoch", "quantization per epoch", "avg. variance",
                "avg. norm. variance")) {
            assertTrue(result.out().contains("\n" + row), row + " missing from\n" + result.out());
        }
        JsonObject json = StrictJson.object(out.resolve("compare.json"));
        assertEquals(Set.of("config", "status", "runs"), json.keySet());
        assertEquals("completed", json.get("status").getAsString());
        JsonObject config = json.getAsJsonObject("config");
        assertEquals("l2", config.get("norm").getAsString());
        assertEquals("spanning", config.get("layout").getAsString());
        assertEquals("mlp", config.get("model").getAsString());
        assertEquals(2, config.get("epochs").getAsInt());
        assertEquals(0.05, config.get("learning_rate").getAsDouble(), 0);
        assertEquals(4, config.get("variance_steps").getAsInt());
        JsonArray runs = json.getAsJsonArray("runs");
        assertEquals(QUANTIZERS.size(), runs.size());
        for (int i = 0; i < runs.size(); i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            assertEquals(Set.of("quantizer", "status", "quantizer_spec", "test_accuracy", "epoch_seconds",
                    "quantization_seconds_per_epoch", "avg_variance", "avg_normalized_variance"), run.keySet());
            String q = run.get("quantizer").getAsString();
            assertEquals(QUANTIZERS.get(i), q);
            assertEquals("completed", run.get("status").getAsString());
            assertTrue(run.get("quantizer_spec").getAsString().startsWith(q + "(bucket=512, levels=16, seed=1"),
                    run.toString());
            double accuracy = run.get("test_accuracy").getAsDouble();
            assertTrue(accuracy >= 0 && accuracy <= 1, q + " accuracy " + accuracy);
            assertTrue(run.get("epoch_seconds").getAsDouble() > 0, q);
            assertTrue(run.get("quantization_seconds_per_epoch").getAsDouble() >= 0, q);
            double variance = run.get("avg_variance").getAsDouble();
            double normalized = run.get("avg_normalized_variance").getAsDouble();
            if (q.equals("none")) {
                assertEquals(0, variance, 0);
            } else {
                assertTrue(variance > 0 && normalized > 0 && normalized < 1, q + ": " + variance + ", " + normalized);
            }
        }
    }

    @Test
    void writesCsvFilesAndPngPlots() throws Exception {
        assertEquals(0, result.code(), result.err());
        List<String> compare = Files.readAllLines(out.resolve("compare.csv"));
        assertEquals("quantizer,test_accuracy,epoch_seconds,quantization_seconds_per_epoch,avg_variance,"
                + "avg_normalized_variance,status", compare.get(0));
        assertEquals(1 + QUANTIZERS.size(), compare.size());
        for (int i = 1; i < compare.size(); i++) {
            assertEquals(7, compare.get(i).split(",").length, compare.get(i));
            assertTrue(compare.get(i).endsWith(",\"completed\""), compare.get(i));
        }
        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(1 + 2 * QUANTIZERS.size(), metrics.size(), "one row per quantizer and epoch");
        assertTrue(metrics.get(1).startsWith("none,1,0.05,3,"), metrics.get(1));
        List<String> variance = Files.readAllLines(out.resolve("variance.csv"));
        assertEquals(1 + 4, variance.size(), "one row per probe step");
        for (String png : List.of("accuracy.png", "variance.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(image, png + " is not a readable image");
            assertEquals(900, image.getWidth());
            assertEquals(540, image.getHeight());
        }
    }

    @Test
    void anExistingOutputDirectoryIsRefusedUnlessForced() throws Exception {
        assertEquals(0, result.code(), result.err());
        long before = Files.getLastModifiedTime(out.resolve("compare.json")).toMillis();
        CliRunner.Result again = CliRunner.run(args(out));
        assertEquals(2, again.code());
        assertEquals("gradquant: error: --out " + out + " already exists and is not empty: choose another directory,"
                + " or pass --force to write into it (replacing files of the same name)\n", again.err());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("compare.json")).toMillis(), "nothing rewritten");

        Path forced = Files.createDirectory(root.resolve("forced"));
        Files.writeString(forced.resolve("keep.txt"), "x");
        CliRunner.Result overwrite = CliRunner.run(args(forced, "--force", "--quantizers", "standard",
                "--variance-steps", "0", "--epochs", "1"));
        assertEquals(0, overwrite.code(), overwrite.err());
        assertTrue(Files.exists(forced.resolve("compare.json")));
        assertTrue(Files.exists(forced.resolve("keep.txt")));
    }

    @Test
    void normAndLayoutReachTheQuantizersOfTheProbeAndOfTheRuns() throws Exception {
        assertEquals(0, result.code(), result.err());
        double l2Spanning = firstProbeStep(out, "exponential");
        Path max = root.resolve("max");
        CliRunner.Result r = CliRunner.run(args(max, "--quantizers", "exponential", "--epochs", "1",
                "--variance-steps", "1", "--norm", "max"));
        assertEquals(0, r.code(), r.err());
        Path perSegment = root.resolve("per-segment");
        r = CliRunner.run(args(perSegment, "--quantizers", "exponential", "--epochs", "1", "--variance-steps", "1",
                "--layout", "per-segment"));
        assertEquals(0, r.code(), r.err());

        JsonObject maxJson = StrictJson.object(max.resolve("compare.json"));
        assertEquals("max", maxJson.getAsJsonObject("config").get("norm").getAsString());
        String maxSpec = maxJson.getAsJsonArray("runs").get(0).getAsJsonObject().get("quantizer_spec").getAsString();
        assertTrue(maxSpec.contains("norm=MAX") && maxSpec.contains("layout=SPANNING"), maxSpec);
        JsonObject perSegmentJson = StrictJson.object(perSegment.resolve("compare.json"));
        assertEquals("per-segment", perSegmentJson.getAsJsonObject("config").get("layout").getAsString());
        String perSegmentSpec = perSegmentJson.getAsJsonArray("runs").get(0).getAsJsonObject().get("quantizer_spec")
                .getAsString();
        assertTrue(perSegmentSpec.contains("norm=L2") && perSegmentSpec.contains("layout=PER_SEGMENT"), perSegmentSpec);

        // the probe's first step quantizes the same gradient (same seed, unquantized SGD) in all three
        // runs: another norm, or buckets cut at each tensor, give another variance
        double maxVariance = firstProbeStep(max, "exponential");
        double perSegmentVariance = firstProbeStep(perSegment, "exponential");
        assertTrue(maxVariance > 0 && perSegmentVariance > 0 && l2Spanning > 0);
        assertNotEquals(l2Spanning, maxVariance);
        assertNotEquals(l2Spanning, perSegmentVariance);
    }

    @Test
    void aNonFiniteLossInTrainingIsARunStatusAndEveryFileIsWritten() throws Exception {
        Path dir = root.resolve("nan-training");
        // step 1's loss is finite, its update (lr 1e30) makes step 2's loss non-finite: each run stops in epoch 1
        CliRunner.Result r = CliRunner.run(args(dir, "--quantizers", "standard,none", "--epochs", "2",
                "--variance-steps", "0", "--lr", "1e30", "--momentum", "0"));
        assertEquals(1, r.code(), r.err());
        String last = r.err().lines().reduce((a, b) -> b).orElse("");
        assertEquals("gradquant: error: the loss of standard, none stopped being finite (the other runs went on): the"
                + " status of each run is in " + dir.resolve("compare.json"), last);
        assertTrue(r.out().contains(String.format("%n%-24s%13s%13s%n", "status", "stopped", "stopped")), r.out());
        assertTrue(r.out().contains(String.format("%n%-24s%13s%13s%n", "test accuracy", "-", "-")), r.out());

        JsonObject json = StrictJson.object(dir.resolve("compare.json"));
        assertEquals("stopped runs: standard, none (a non-finite loss; see each run's status)",
                json.get("status").getAsString());
        JsonArray runs = json.getAsJsonArray("runs");
        assertEquals(2, runs.size());
        for (int i = 0; i < 2; i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            String q = List.of("standard", "none").get(i);
            assertEquals(q, run.get("quantizer").getAsString());
            assertTrue(run.get("status").getAsString().matches("stopped: loss is (NaN|Infinity) at step 2 \\(epoch 1\\)"
                    + " of training with quantizer " + q + ": .* \\(0 of 2 epochs finished\\)"), run.toString());
            assertTrue(run.get("test_accuracy").isJsonNull(), "no epoch finished: " + run);
            assertTrue(run.get("epoch_seconds").isJsonNull(), run.toString());
        }
        List<String> csv = Files.readAllLines(dir.resolve("compare.csv"));
        assertEquals(3, csv.size());
        assertTrue(csv.get(1).startsWith("standard,NaN,NaN,NaN,NaN,NaN,\"stopped: loss is "), csv.get(1));
        assertEquals(List.of("quantizer," + "epoch,learning_rate,steps,train_loss,test_accuracy,epoch_seconds,"
                + "quantization_seconds,avg_variance,avg_normalized_variance"), Files.readAllLines(dir.resolve("metrics.csv")));
        assertEquals(List.of("step,standard_variance,standard_normalized_variance,none_variance,"
                + "none_normalized_variance"), Files.readAllLines(dir.resolve("variance.csv")));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void aNonFiniteLossInTheVarianceProbeKeepsTheStepsItFinished() throws Exception {
        Path dir = root.resolve("nan-probe");
        CliRunner.Result r = CliRunner.run(args(dir, "--quantizers", "standard,exponential", "--epochs", "2",
                "--variance-steps", "5", "--lr", "1e30", "--momentum", "0"));
        assertEquals(1, r.code(), r.err());
        String last = r.err().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("gradquant: error: loss is (NaN|Infinity) at step 2 \\(epoch 1\\) of the variance"
                + " probe \\(unquantized SGD\\): .*"), r.err());

        List<String> variance = Files.readAllLines(dir.resolve("variance.csv"));
        assertEquals(2, variance.size(), "the header and the one step before the loss stopped being finite");
        assertTrue(variance.get(1).startsWith("1,"), variance.get(1));
        JsonObject json = StrictJson.object(dir.resolve("compare.json"));
        assertTrue(json.get("status").getAsString().matches("stopped: loss is .* \\(1 of 5 probe steps kept; no"
                + " training run started\\)"), json.toString());
        for (var element : json.getAsJsonArray("runs")) {
            JsonObject run = element.getAsJsonObject();
            assertEquals("not run: the variance probe stopped", run.get("status").getAsString());
            assertTrue(run.get("test_accuracy").isJsonNull(), run.toString());
            assertEquals(Double.parseDouble(variance.get(1).split(",")[run.get("quantizer").getAsString()
                    .equals("standard") ? 1 : 3]), run.get("avg_variance").getAsDouble(), 0.0, "the kept step");
        }
        assertTrue(Files.exists(dir.resolve("variance.png")));
        assertFalse(Files.exists(dir.resolve("metrics.csv")), "no training run started");
        assertNoTemporaryFiles(dir);
    }

    /** The variance of {@code quantizer} in the first row of DIR/variance.csv. */
    private static double firstProbeStep(Path dir, String quantizer) throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("variance.csv"));
        int column = List.of(lines.get(0).split(",")).indexOf(quantizer + "_variance");
        return Double.parseDouble(lines.get(1).split(",")[column]);
    }

    static void assertNoTemporaryFiles(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            List<String> hidden = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "temporary files left in " + dir);
        }
    }
}
