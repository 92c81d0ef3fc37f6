package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
                "--data-dir", data.toString(), "--batch-size", "32", "--max-steps-per-epoch", "3", "--lr", "0.05",
                "--threads", "1", "--out", dir.toString()));
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
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("compare.json"))).getAsJsonObject();
        assertEquals(Set.of("config", "runs"), json.keySet());
        JsonObject config = json.getAsJsonObject("config");
        assertEquals("mlp", config.get("model").getAsString());
        assertEquals(2, config.get("epochs").getAsInt());
        assertEquals(0.05, config.get("learning_rate").getAsDouble(), 0);
        assertEquals(4, config.get("variance_steps").getAsInt());
        JsonArray runs = json.getAsJsonArray("runs");
        assertEquals(QUANTIZERS.size(), runs.size());
        for (int i = 0; i < runs.size(); i++) {
            JsonObject run = runs.get(i).getAsJsonObject();
            assertEquals(Set.of("quantizer", "test_accuracy", "epoch_seconds", "quantization_seconds_per_epoch",
                    "avg_variance", "avg_normalized_variance"), run.keySet());
            String q = run.get("quantizer").getAsString();
            assertEquals(QUANTIZERS.get(i), q);
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
                + "avg_normalized_variance", compare.get(0));
        assertEquals(1 + QUANTIZERS.size(), compare.size());
        for (int i = 1; i < compare.size(); i++) {
            assertEquals(6, compare.get(i).split(",").length, compare.get(i));
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
}
