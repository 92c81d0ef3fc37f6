package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.gradquant.harness.LearnableFashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gradquant train} on generated Fashion-MNIST files: outputs, the non-finite loss stop, bad options. */
class TrainCommandTest {
    @TempDir
    static Path root;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        data = LearnableFashionMnist.write(Files.createDirectory(root.resolve("data")), 96, 40);
    }

    private static CliRunner.Result train(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", data.toString(), "--batch-size", "32", "--threads", "1"));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(new String[0]));
    }

    @Test
    void writesMetricsAndSummaryAndOneLinePerEpoch() throws Exception {
        Path out = root.resolve("train");
        CliRunner.Result r = train("--quantizer", "hadamard", "--epochs", "3", "--lr", "0.05", "--lr-milestones", "2",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("hadamard epoch ")).count(), r.out());
        assertTrue(r.out().contains("hadamard epoch 3/3: loss "), r.out());
        assertTrue(r.err().contains("fashion-mnist from " + data + " (the given directory)"), r.err());

        List<String> metrics = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("quantizer,epoch,learning_rate,steps,train_loss,test_accuracy,epoch_seconds,"
                + "quantization_seconds,avg_variance,avg_normalized_variance", metrics.get(0));
        assertEquals(4, metrics.size());
        assertTrue(metrics.get(3).startsWith("hadamard,3,0.00500000"), "lr x0.1 from epoch 2 (from 0): " + metrics.get(3));

        JsonObject summary = StrictJson.object(out.resolve("summary.json"));
        assertEquals("completed", summary.get("status").getAsString());
        assertEquals("hadamard", summary.get("quantizer").getAsString());
        assertEquals(3, summary.getAsJsonArray("epochs").size());
        assertEquals("train", summary.getAsJsonObject("config").get("command").getAsString());
        double first = summary.getAsJsonArray("epochs").get(0).getAsJsonObject().get("train_loss").getAsDouble();
        double last = summary.getAsJsonArray("epochs").get(2).getAsJsonObject().get("train_loss").getAsDouble();
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertTrue(summary.get("avg_variance").getAsDouble() > 0);
    }

    @Test
    void nonFiniteLossStopsTheRunAndKeepsWhatWasWritten() throws Exception {
        Path out = root.resolve("nan");
        // one step per epoch: epoch 1 finishes, then the blown-up weights give a non-finite loss
        CliRunner.Result r = train("--quantizer", "standard", "--epochs", "3", "--lr", "1e30", "--momentum", "0",
                "--max-steps-per-epoch", "1", "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        String last = r.err().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("gradquant: error: loss is (NaN|Infinity) at step 2 \\(epoch 2\\) of training with"
                + " quantizer standard: stopped before applying that step; .*"), r.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.csv")).size(), "epoch 1 is on disk");
        JsonObject summary = StrictJson.object(out.resolve("summary.json"));
        assertTrue(summary.get("status").getAsString().startsWith("stopped: loss is"), summary.toString());
        assertTrue(summary.get("status").getAsString().endsWith("(1 of 3 epochs finished; a figure without a finished"
                + " epoch is null)"), summary.toString());
        assertEquals(1, summary.getAsJsonArray("epochs").size());
    }

    @Test
    void aStopBeforeTheFirstEpochEndsWritesValidJsonWithNullsAndSaysWhy() throws Exception {
        Path out = root.resolve("nan-first-epoch");
        // step 1's update (lr 1e30) makes step 2's loss non-finite, inside epoch 1: no epoch finishes
        CliRunner.Result r = train("--quantizer", "standard", "--epochs", "2", "--lr", "1e30", "--momentum", "0",
                "--max-steps-per-epoch", "3", "--out", out.toString());
        assertEquals(1, r.code(), r.out());
        String text = Files.readString(out.resolve("summary.json"));
        JsonObject summary = StrictJson.object(out.resolve("summary.json"));
        for (String field : List.of("test_accuracy", "epoch_seconds", "quantization_seconds_per_epoch", "avg_variance",
                "avg_normalized_variance")) {
            assertTrue(summary.get(field).isJsonNull(), field + " in " + text);
        }
        assertTrue(summary.get("status").getAsString().matches("stopped: loss is (NaN|Infinity) at step 2 \\(epoch 1\\)"
                + " .* \\(0 of 2 epochs finished; a figure without a finished epoch is null\\)"), text);
        assertEquals(0, summary.getAsJsonArray("epochs").size());
        CompareCommandTest.assertNoTemporaryFiles(out);
    }

    @Test
    void strictParsingRefusesTheBareNanThatSummaryJsonOnceHeld() {
        // the check above means something only if the parser refuses what Gson's lenient one accepts
        assertThrows(RuntimeException.class, () -> StrictJson.parse("{\"test_accuracy\": NaN}"));
        assertThrows(RuntimeException.class, () -> StrictJson.parse("{\"x\": Infinity}"));
        assertTrue(StrictJson.parse("{\"x\": null}").getAsJsonObject().get("x").isJsonNull());
    }

    @Test
    void normAndLayoutReachTheQuantizerThatTrains() throws Exception {
        Path plain = root.resolve("exp-l2");
        Path options = root.resolve("exp-max-per-segment");
        List<String> common = List.of("--quantizer", "exponential", "--epochs", "1", "--max-steps-per-epoch", "2",
                "--lr", "0.05");
        CliRunner.Result r = train(with(common, "--out", plain.toString()));
        assertEquals(0, r.code(), r.err());
        r = train(with(common, "--norm", "max", "--layout", "per-segment", "--out", options.toString()));
        assertEquals(0, r.code(), r.err());

        JsonObject summary = StrictJson.object(options.resolve("summary.json"));
        assertEquals("max", summary.getAsJsonObject("config").get("norm").getAsString());
        assertEquals("per-segment", summary.getAsJsonObject("config").get("layout").getAsString());
        // the spec of the quantizer that ran, not of the options
        assertTrue(summary.get("quantizer_spec").getAsString().matches("exponential\\(bucket=512, levels=16, seed=1,"
                + " norm=MAX, layout=PER_SEGMENT\\)"), summary.toString());
        JsonObject defaults = StrictJson.object(plain.resolve("summary.json"));
        assertTrue(defaults.get("quantizer_spec").getAsString().endsWith("norm=L2, layout=SPANNING)"),
                defaults.toString());
        // same data, seed and initialisation: another quantizer gives another variance
        assertNotEquals(defaults.get("avg_variance").getAsDouble(), summary.get("avg_variance").getAsDouble());
    }

    private static String[] with(List<String> common, String... more) {
        List<String> all = new java.util.ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    @Test
    void missingDataIsAClearError() throws Exception {
        Path empty = Files.createDirectory(root.resolve("empty"));
        CliRunner.Result r = CliRunner.run("train", "--model", "mlp", "--dataset", "fashion-mnist", "--data-dir",
                empty.toString(), "--out", root.resolve("never").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\ngradquant: error: fashion-mnist data not found. Looked in:   the given"
                + " directory " + empty + ": missing train-images-idx3-ubyte.gz"), r.err());
        assertTrue(!Files.exists(root.resolve("never")), "no output directory for a run that never started");
    }
}
