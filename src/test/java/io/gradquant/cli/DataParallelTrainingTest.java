package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.gradquant.JvmProcess;
import io.gradquant.MpiJob;
import io.gradquant.harness.LearnableFashionMnist;
import io.gradquant.train.Models;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel train and compare with real ranks: {@code mpirun} with 2 and 3 oversubscribed
 * ranks on this machine, over shared memory and over TCP, on generated Fashion-MNIST files.
 */
@Tag("mpi")
class DataParallelTrainingTest {
    private static final List<String> QUANTIZERS = List.of("none", "standard", "smart", "hadamard", "exponential");
    /** A rank that dies must end the job within this (mpirun notices at once; the bound is generous for a loaded machine). */
    private static final long DEATH_BOUND_SECONDS = 60;

    @TempDir
    static Path root;
    static Path data;

    @BeforeAll
    static void writeData() throws Exception {
        // 50 global batches of 3 x 8 without reusing an example
        data = LearnableFashionMnist.write(Files.createDirectory(root.resolve("data")), 1200, 40);
    }

    private static List<String> train(Path out, int batch, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", data.toString(), "--batch-size", Integer.toString(batch), "--lr", "0.05",
                "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    /** Ranks of the gradquant command line: a small JVM per rank, one PyTorch thread (several ranks share two cores). */
    private static MpiJob.App gradquant(int ranks, List<String> args) {
        return new MpiJob.App(ranks, List.of("-Xmx384m", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1"),
                Main.class.getName(), args);
    }

    private static JvmProcess.Result mpirun(MpiJob.Transport transport, List<MpiJob.App> apps) throws Exception {
        return MpiJob.run(MpiJob.command(transport, apps), 600, Map.of());
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void float32AllreduceOnWorkersEqualsOneProcessWithTheGlobalBatch() throws Exception {
        for (MpiJob.Transport transport : MpiJob.Transport.values()) {
            int workers = transport == MpiJob.Transport.SHARED_MEMORY ? 2 : 3;
            Path multi = root.resolve("allreduce-" + workers);
            JvmProcess.Result r = mpirun(transport, List.of(gradquant(workers, train(multi, 8, "--quantizer", "none",
                    "--collective", "allreduce", "--epochs", "1", "--max-steps-per-epoch", "50"))));
            assertEquals(0, r.code(), r.out() + r.err());
            assertEquals(1, r.out().lines().filter(l -> l.startsWith("none epoch 1/1: ")).count(),
                    "rank 0 alone prints:\n" + r.out());
            assertTrue(r.out().contains(workers + " workers, allreduce: compute "), r.out());

            Path single = root.resolve("single-" + workers);
            CliRunner.Result s = CliRunner.run(train(single, 8 * workers, "--quantizer", "none", "--epochs", "1",
                    "--max-steps-per-epoch", "50").toArray(new String[0]));
            assertEquals(0, s.code(), s.err());

            double[] difference = relativeDifference(multi, single);
            System.out.printf("%d workers over %s: relative weight difference %.3g, moved %.3g%n", workers, transport,
                    difference[0], difference[1]);
            assertTrue(difference[0] < 1e-5, workers + " workers over " + transport + ": relative weight difference "
                    + difference[0] + " (weights moved by " + difference[1] + " relative to the start)");
            assertTrue(difference[1] > 1e-2, "50 steps changed the weights: " + difference[1]);

            JsonObject summary = json(multi.resolve("summary.json"));
            assertEquals(workers, summary.get("workers").getAsInt());
            assertEquals("allreduce", summary.get("collective").getAsString());
            assertEquals(50, summary.getAsJsonArray("epochs").get(0).getAsJsonObject().get("steps").getAsInt());
            assertRanksAgree(summary.getAsJsonArray("ranks"), workers);
            JsonObject exchange = summary.getAsJsonObject("exchange");
            // float32 allreduce of all 101,770 parameters, counted as a ring sends it: 2 (N-1)/N x 4 bytes each
            long values = 784 * 128 + 128 + 128 * 10 + 10;
            assertEquals(2.0 * (workers - 1) / workers * 4 * values, exchange.get("bytes_per_step").getAsDouble(), 1,
                    exchange.toString());
            assertEquals(1.0, exchange.get("compression_ratio").getAsDouble(), 0);
            assertEquals(Set.of("metrics.csv", "summary.json", "model.params"), files(multi), "one writer, no leftovers");
        }
    }

    /** Messages are encoded by the native cpu backend, as a user's run does. */
    @Test
    void everyQuantizerEndsWithIdenticalWeightsOnEveryRank() throws Exception {
        // allgather with error feedback, 3 ranks over TCP, through mpirun as a cluster runs it
        Path out = root.resolve("allgather");
        List<String> args = new ArrayList<>(List.of("compare", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", data.toString(), "--batch-size", "8", "--epochs", "1", "--max-steps-per-epoch", "4",
                "--variance-steps", "2", "--lr", "0.05", "--backend", "cpu", "--collective", "allgather",
                "--error-feedback", "--out", out.toString()));
        JvmProcess.Result r = mpirun(MpiJob.Transport.TCP, List.of(gradquant(3, args)));
        assertEquals(0, r.code(), r.out() + r.err());
        assertCompare(out, r.out(), 3, "allgather", "mlp");

        // reduce-scatter, 2 ranks over shared memory, started by --workers as a user does; a model
        // with batch norm, whose running statistics the ranks average
        Path rs = root.resolve("reduce-scatter");
        List<String> user = JvmProcess.builder(List.of("-Xmx384m", "-Dai.djl.offline=true"), Main.class.getName(),
                List.of("compare", "--workers", "2", "--model", "cnn", "--dataset", "fashion-mnist", "--data-dir",
                        data.toString(), "--batch-size", "8", "--epochs", "1", "--max-steps-per-epoch", "3",
                        "--variance-steps", "2", "--lr", "0.05", "--backend", "cpu", "--collective",
                        "reduce-scatter", "--out", rs.toString()), Map.of()).command();
        JvmProcess.Result launched = MpiJob.run(user, 600, Map.of("OMPI_MCA_btl", MpiJob.Transport.SHARED_MEMORY.btl()));
        assertEquals(0, launched.code(), launched.out() + launched.err());
        assertTrue(launched.err().contains("gradquant: starting 2 ranks with mpirun"), launched.err());
        assertCompare(rs, launched.out(), 2, "reduce-scatter", "cnn");
    }

    /** The table, compare.json and compare.csv of a data-parallel compare of all quantizers. */
    private static void assertCompare(Path out, String printed, int workers, String collective, String model)
            throws Exception {
        for (String line : List.of("workers", "collective", "  compute per epoch", "  encode per epoch",
                "  communicate per epoch", "  decode per epoch", "  step per epoch", "sent per step, worker",
                "smaller than float32", "ranks agree")) {
            assertTrue(printed.contains("\n" + line + " "), line + " missing from\n" + printed);
        }
        assertFalse(printed.contains(" NO"), printed);
        JsonObject json = json(out.resolve("compare.json"));
        assertEquals(workers, json.getAsJsonObject("data_parallel").get("workers").getAsInt());
        assertEquals(model, json.getAsJsonObject("config").get("model").getAsString());
        JsonArray runs = json.getAsJsonArray("runs");
        assertEquals(QUANTIZERS.size(), runs.size());
        Set<String> checksums = new HashSet<>();
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            String q = run.get("quantizer").getAsString();
            assertRanksAgree(run.getAsJsonArray("ranks"), workers);
            checksums.add(run.getAsJsonArray("ranks").get(0).getAsJsonObject().get("parameters_sha256").getAsString());
            JsonObject exchange = run.getAsJsonObject("exchange");
            assertEquals(collective, exchange.get("collective").getAsString(), q);
            double ratio = exchange.get("compression_ratio").getAsDouble();
            // none travels as float32 (through allgather with a message's header and checksum)
            assertTrue(q.equals("none") ? ratio > 0.99 && ratio <= 1 : ratio > 3, q + " compression ratio " + ratio);
            assertTrue(exchange.get("bytes_per_step").getAsDouble() > 0, q);
            assertTrue(exchange.get("encode_seconds").getAsDouble() > 0, q);
        }
        assertEquals(QUANTIZERS.size(), checksums.size(), "each quantizer trains its own weights");
        List<String> csv = Files.readAllLines(out.resolve("compare.csv"));
        assertTrue(csv.get(0).endsWith(",workers,collective,bytes_per_step,message_bytes_per_step,compression_ratio,"
                + "compute_seconds,encode_seconds,communicate_seconds,decode_seconds,step_seconds,ranks_agree"),
                csv.get(0));
        for (String row : csv.subList(1, csv.size())) {
            assertTrue(row.endsWith(",true"), row);
        }
    }

    @Test
    void mismatchedConfigurationIsRefusedByEveryRankBeforeAnythingIsWritten() throws Exception {
        // a rank with another model: caught before it would load rank 0's weights into the wrong layers
        Path out = root.resolve("mismatch");
        List<String> args = train(out, 8, "--quantizer", "none", "--epochs", "1");
        List<String> other = new ArrayList<>(args);
        other.set(other.indexOf("mlp"), "cnn");
        JvmProcess.Result r = mpirun(MpiJob.Transport.SHARED_MEMORY, List.of(gradquant(1, args), gradquant(1, other)));
        assertNotEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("gradquant: error: the ranks' configurations differ: field 'model': rank 0 has"
                + " 'mlp'; rank 1 has 'cnn'"), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aKilledRankEndsTheJobInBoundedTimeAndLeavesValidOutputs() throws Exception {
        Path out = root.resolve("killed");
        Path log = root.resolve("killed.log");
        Process mpirun = MpiJob.builder(MpiJob.command(MpiJob.Transport.SHARED_MEMORY, List.of(gradquant(2, train(out, 8,
                "--quantizer", "none", "--epochs", "1000", "--max-steps-per-epoch", "5")))), Map.of())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path metrics = out.resolve("metrics.csv");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() >= 3)) {
                assertTrue(mpirun.isAlive(), "the job ended early: " + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "two epochs did not finish: " + Files.readString(log));
                Thread.sleep(200);
            }
            ProcessHandle rank1 = MpiJob.rank(mpirun, 1);
            assertNotNull(rank1, "rank 1's process");
            long killed = System.nanoTime();
            rank1.destroyForcibly(); // SIGKILL: no chance to say goodbye
            assertTrue(mpirun.waitFor(DEATH_BOUND_SECONDS, TimeUnit.SECONDS),
                    "the job still runs " + DEATH_BOUND_SECONDS + " s after rank 1 died");
            assertNotEquals(0, mpirun.exitValue(), Files.readString(log));
            double took = (System.nanoTime() - killed) / 1e9;
            assertTrue(took < DEATH_BOUND_SECONDS, took + " s");
            List<String> rows = Files.readAllLines(metrics);
            int columns = rows.get(0).split(",").length;
            for (String row : rows) {
                assertEquals(columns, row.split(",", -1).length, "a whole row: " + row);
            }
        } finally {
            mpirun.descendants().forEach(ProcessHandle::destroyForcibly);
            mpirun.destroyForcibly();
        }
    }

    private static void assertRanksAgree(JsonArray ranks, int workers) {
        assertEquals(workers, ranks.size(), ranks.toString());
        Set<String> checksums = new HashSet<>();
        for (int r = 0; r < workers; r++) {
            JsonObject rank = ranks.get(r).getAsJsonObject();
            assertEquals(r, rank.get("rank").getAsInt());
            assertTrue(rank.get("parameters_sha256").getAsString().matches("[0-9a-f]{64}"), rank.toString());
            checksums.add(rank.get("parameters_sha256").getAsString());
        }
        assertEquals(1, checksums.size(), "every rank holds the same weights: " + ranks);
    }

    private static Set<String> files(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * ||a - b|| / ||b|| over all weights of the models saved in two directories, and how far b moved
     * from the initial weights, ||b - b0|| / ||b0||, b0 the weights of a fresh draw from the same seed.
     */
    private static double[] relativeDifference(Path a, Path b) throws Exception {
        List<float[]> wa = weights(a);
        List<float[]> wb = weights(b);
        assertEquals(wa.size(), wb.size());
        double diff = 0;
        double norm = 0;
        for (int p = 0; p < wa.size(); p++) {
            for (int i = 0; i < wa.get(p).length; i++) {
                double d = (double) wa.get(p)[i] - wb.get(p)[i];
                diff += d * d;
                norm += (double) wb.get(p)[i] * wb.get(p)[i];
            }
        }
        return new double[] {Math.sqrt(diff / norm), moved(b)};
    }

    private static double moved(Path b) throws Exception {
        Path start = root.resolve("start-" + b.getFileName());
        List<String> args = train(start, 8, "--quantizer", "none", "--epochs", "1", "--momentum", "0",
                "--weight-decay", "0", "--max-steps-per-epoch", "1");
        args.set(args.indexOf("0.05"), "1e-30"); // one step that leaves the initial weights
        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        List<float[]> w0 = weights(start);
        List<float[]> wb = weights(b);
        double diff = 0;
        double norm = 0;
        for (int p = 0; p < w0.size(); p++) {
            for (int i = 0; i < w0.get(p).length; i++) {
                double d = (double) wb.get(p)[i] - w0.get(p)[i];
                diff += d * d;
                norm += (double) w0.get(p)[i] * w0.get(p)[i];
            }
        }
        return Math.sqrt(diff / norm);
    }

    /** The parameters train saved in {@code dir}, in model order. */
    private static List<float[]> weights(Path dir) throws Exception {
        List<float[]> out = new ArrayList<>();
        Block block = Models.mlp(10, 128);
        try (NDManager manager = NDManager.newBaseManager();
                DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve("model.params")))) {
            block.loadParameters(manager, in);
            for (Pair<String, Parameter> p : block.getParameters()) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
