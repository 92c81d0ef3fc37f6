package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad data-parallel options of train and compare are usage errors (exit 2) naming the option,
 * before any rank starts, MPI is touched or anything is written.
 */
class DataParallelOptionsTest {
    @TempDir
    Path root;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "train --collective allgather | --collective applies to data-parallel training: add --workers N (N > 1), or"
                + " start the command under mpirun",
        "compare --error-feedback | --error-feedback applies to data-parallel training",
        "train --workers 1 --min-quantized-size 0 | --min-quantized-size applies to data-parallel training",
        "train --workers 0 | --workers 0 is not allowed: it must be >= 1",
        "train --workers 2 --collective ring | unknown collective 'ring': allowed are auto, allgather, reduce-scatter,"
                + " allreduce",
        "train --workers 2 --collective allreduce --quantizer standard | --collective allreduce sums float32 gradients"
                + " and cannot carry the quantized messages of standard: use --collective allgather, reduce-scatter"
                + " or auto, or quantizer none",
        "compare --workers 3 --collective allreduce --quantizers none,hadamard | cannot carry the quantized messages of"
                + " hadamard",
        "train --workers 2 --error-feedback --quantizer none | --error-feedback corrects quantization errors, and"
                + " quantizer none makes none",
        "train --workers 2 --min-quantized-size -1 | --min-quantized-size -1 is not allowed: it must be >= 0",
        "compare --workers 2 --device gpu --collective reduce-scatter | --collective reduce-scatter is not available"
                + " with --device gpu yet: use --collective allgather, allreduce or auto, or --device cpu",
        "train --workers 2 --device gpu --quantizer standard --error-feedback | --error-feedback is not available with"
                + " --device gpu yet: leave it out, or use --device cpu",
        "train --workers 2 --lr 0 | learning rate 0.0 is not allowed",
    })
    void badOptionIsAUsageErrorBeforeAnyRankStarts(String options, String message) throws Exception {
        Path out = root.resolve("out");
        List<String> words = new ArrayList<>(List.of(options.trim().split(" ")));
        List<String> args = new ArrayList<>(List.of(words.remove(0), "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", root.toString(), "--out", out.toString()));
        args.addAll(words);
        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("gradquant: error: "), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().count(), "one line, nothing started: " + r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @ParameterizedTest
    @CsvSource({"train", "compare"})
    void anOutputDirectoryInUseIsRefusedBeforeAnyRankStarts(String command) throws Exception {
        Path out = Files.createDirectory(root.resolve("used"));
        Files.writeString(out.resolve("keep.txt"), "x");
        CliRunner.Result r = CliRunner.run(command, "--workers", "2", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", root.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--out " + out + " already exists and is not empty"), r.err());
    }
}
