package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gradquant train}: one quantizer, one line per epoch, {@code DIR/metrics.csv} (rewritten
 * as epochs finish) and {@code DIR/summary.json} (written at the end, also when the run stops
 * early: its {@code status} says why, and a number there is no value for is null).
 */
public final class TrainJob {
    /** The files a run writes into its directory. */
    public static final List<String> FILES = List.of("metrics.csv", "summary.json");

    private TrainJob() {
    }

    /**
     * The summary.json document.
     *
     * @param status        "completed", or "stopped: " and why, with the number of epochs finished
     * @param quantizerSpec the spec the run quantized with, as {@link io.gradquant.QuantizerSpec#toString()} says it
     */
    record Summary(Settings config, String status, String quantizer, String quantizerSpec, double testAccuracy,
            double epochSeconds, double quantizationSecondsPerEpoch, double avgVariance, double avgNormalizedVariance,
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
        Quantizer quantizer = quantizers.create(type);
        String status = "completed";
        MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"));
        try {
            return new TrainingRun(experiment, progress).train(quantizer, (q, e) -> {
                done.add(e);
                csv.append(q, e);
                out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                out.flush();
            });
        } catch (Exception | Error e) {
            status = "stopped: " + e.getMessage() + " (" + done.size() + " of " + experiment.recipe().epochs()
                    + " epochs finished; a figure without a finished epoch is null)";
            throw e;
        } finally {
            RunResult partial = new RunResult(type.cliName(), done);
            Json.write(dir.resolve("summary.json"), new Summary(settings, status, type.cliName(),
                    quantizer.spec().toString(), partial.finalTestAccuracy(), partial.meanEpochSeconds(),
                    partial.meanQuantizationSeconds(), partial.meanVariance(), partial.meanNormalizedVariance(), done));
        }
    }
}
