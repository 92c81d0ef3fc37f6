package io.gradquant.harness;

import io.gradquant.QuantizerType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gradquant train}: one quantizer, one line per epoch, {@code DIR/metrics.csv} (rows
 * appended as epochs finish) and {@code DIR/summary.json} (written at the end, also when the run
 * stops early, with the reason).
 */
public final class TrainJob {
    private TrainJob() {
    }

    /** The summary.json document. */
    record Summary(Settings config, String status, String quantizer, double testAccuracy, double epochSeconds,
            double quantizationSecondsPerEpoch, double avgVariance, double avgNormalizedVariance,
            List<EpochMetrics> epochs) {
    }

    /**
     * Trains and writes the results into {@code dir} (already prepared).
     *
     * @throws NonFiniteLossException after writing what was finished
     */
    public static RunResult run(Experiment experiment, Settings settings, QuantizerFactory quantizers,
            QuantizerType type, Path dir, PrintWriter out, boolean progress) throws Exception {
        List<EpochMetrics> done = new ArrayList<>();
        String status = "completed";
        try (MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"))) {
            return new TrainingRun(experiment, progress).train(quantizers.create(type), (q, e) -> {
                done.add(e);
                csv.append(q, e);
                out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                out.flush();
            });
        } catch (Exception | Error e) {
            status = "stopped: " + e.getMessage();
            throw e;
        } finally {
            RunResult partial = new RunResult(type.cliName(), done);
            Json.write(dir.resolve("summary.json"), new Summary(settings, status, type.cliName(),
                    partial.finalTestAccuracy(), partial.meanEpochSeconds(), partial.meanQuantizationSeconds(),
                    partial.meanVariance(), partial.meanNormalizedVariance(), done));
        }
    }
}
