package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad train and compare options are usage errors (exit 2) naming the option, before anything is written. */
class HarnessOptionsTest {
    @TempDir
    Path root;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--model vgg | unknown model 'vgg': allowed are resnet20, cnn, mlp",
        "--dataset mnist | unknown dataset 'mnist': allowed are fashion-mnist, cifar10",
        "--epochs 0 | epochs 0 is not allowed: it must be >= 1",
        "--batch-size 0 | batch size 0 is not allowed: it must be >= 1",
        "--lr -1 | learning rate -1.0 is not allowed: it must be > 0 and finite",
        "--momentum 1 | momentum 1.0 is not allowed: it must be in [0, 1)",
        "--weight-decay -0.5 | weight decay -0.5 is not allowed: it must be >= 0",
        "--lr-milestones 5,3 | learning-rate milestones [5, 3] are not allowed: they must be epochs >= 1 in increasing order",
        "--lr-milestones x | 'x' is not a list of epochs: use for example 81,122,164, or none",
        "--max-steps-per-epoch -1 | max steps per epoch -1 is not allowed: it must be >= 1, or 0 for whole epochs",
        "--device tpu | unknown device 'tpu': allowed are auto, cpu, gpu",
        "--threads -2 | --threads -2 is not allowed: it must be >= 1, or 0 for all hardware threads",
        "--levels 1 | levels 1 is not allowed",
        "--backend gpu | unknown backend 'gpu': allowed are auto, java, cpu, cuda",
        "--device cpu --backend cuda | --backend cuda quantizes GPU memory, but training runs on the CPU",
        "--quantizers standard,standard | quantizer 'standard' is listed twice",
        "--quantizers standard,best | unknown quantizer 'best'",
        "--quantizers none --quantizers none | lists a quantizer twice: each may run once",
        "--variance-steps -1 | --variance-steps -1 is not allowed: it must be >= 0",
    })
    void badOptionIsAUsageError(String options, String message) throws Exception {
        Path out = root.resolve("out");
        List<String> args = new ArrayList<>(List.of("compare", "--model", "mlp", "--dataset", "fashion-mnist",
                "--data-dir", root.toString(), "--out", out.toString()));
        args.addAll(List.of(options.trim().split(" ")));
        CliRunner.Result r = CliRunner.run(args.toArray(new String[0]));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("gradquant: error: "), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace: " + r.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @ParameterizedTest
    @CsvSource({"train", "compare"})
    void modelAndDatasetAreRequired(String command) {
        CliRunner.Result r = CliRunner.run(command, "--dataset", "fashion-mnist");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("gradquant: error: Missing required option: '--model=NAME'"), r.err());
    }

    @ParameterizedTest
    @CsvSource({"train", "compare"})
    void gpuWithoutAGpuSaysWhatToDo(String command) {
        CliRunner.Result r = CliRunner.run(command, "--model", "mlp", "--dataset", "fashion-mnist", "--device", "gpu",
                "--out", root.resolve("gpu").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("gradquant: error: --device gpu: DJL's PyTorch engine sees no GPU."), r.err());
        assertTrue(r.err().contains("mvn -Pgpu package"), r.err());
    }
}
