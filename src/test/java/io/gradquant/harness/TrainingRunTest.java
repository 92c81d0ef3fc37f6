package io.gradquant.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.CpuBackend;
import io.gradquant.data.DatasetKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's runs on generated data: same start for every run, the probe leaves training unquantized. */
class TrainingRunTest {
    @TempDir
    static Path dir;
    static Experiment experiment;
    static QuantizerFactory factory;

    @BeforeAll
    static void setUp() throws Exception {
        LearnableFashionMnist.write(dir, 96, 40);
        Recipe recipe = new Recipe(2, 32, 0.05f, 0.9f, 1e-4f, List.of(1), 0, 7);
        experiment = new Experiment(ModelKind.MLP, TrainingData.load(DatasetKind.FASHION_MNIST, dir), recipe,
                Device.cpu());
        factory = new QuantizerFactory(type -> QuantizerSpec.builder(type).bucketSize(64).levels(8).seed(7).build(),
                new CpuBackend(1));
    }

    private static List<EpochMetrics> train(QuantizerType type) throws Exception {
        List<EpochMetrics> seen = new ArrayList<>();
        RunResult result = new TrainingRun(experiment, false).train(factory.create(type), (q, e) -> seen.add(e));
        assertEquals(seen, result.epochs());
        return seen;
    }

    @Test
    void runsStartFromTheSameParametersAndDataOrder() throws Exception {
        List<EpochMetrics> first = train(QuantizerType.STANDARD);
        List<EpochMetrics> second = train(QuantizerType.STANDARD);
        for (int e = 0; e < first.size(); e++) {
            assertEquals(first.get(e).trainLoss(), second.get(e).trainLoss(), 0, "epoch " + (e + 1));
            assertEquals(first.get(e).testAccuracy(), second.get(e).testAccuracy(), 0);
        }
        assertEquals(0.05, first.get(0).learningRate(), 1e-9);
        assertEquals(0.005, first.get(1).learningRate(), 1e-9);
        assertEquals(3, first.get(0).steps());
        assertTrue(first.get(1).trainLoss() < first.get(0).trainLoss());
    }

    @Test
    void probeMeasuresEveryQuantizerOnTheSameGradientsAndTrainsUnquantized() throws Exception {
        Map<String, io.gradquant.Quantizer> both = new java.util.LinkedHashMap<>();
        both.put("none", factory.create(QuantizerType.NONE));
        both.put("standard", factory.create(QuantizerType.STANDARD));
        both.put("smart", factory.create(QuantizerType.SMART));
        VarianceProbe.Result probe = new VarianceProbe(experiment, factory.backend(), false).run(both, 5);
        Map<String, io.gradquant.Quantizer> alone = Map.of("standard", factory.create(QuantizerType.STANDARD));
        VarianceProbe.Result single = new VarianceProbe(experiment, factory.backend(), false).run(alone, 5);
        assertEquals(5, probe.steps());
        for (int s = 0; s < 5; s++) {
            assertEquals(0, probe.variance().get("none")[s], 0);
            // measuring other quantizers too changes neither the gradients nor the training
            assertEquals(single.variance().get("standard")[s], probe.variance().get("standard")[s], 0, "step " + s);
            assertTrue(probe.variance().get("smart")[s] <= probe.variance().get("standard")[s] * 1.5);
            assertTrue(probe.normalizedVariance().get("standard")[s] > 0);
        }
    }
}
