package io.gradquant.harness;

import io.gradquant.QuantizerType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gradquant train}: one quantizer, one line per epoch, {@code DIR/metrics.csv} (rows
 * appended as epochs finish), {@code DIR/summary.json} (written at the end, also when the run
 * stops early, with the reason) and the trained model, {@code DIR/model-NNNN.params} after NNNN
 * epochs (DJL's format: {@code Model.load(DIR, "model")} on a block of the same architecture reads
 * it).
 * Data-parallel, rank 0 prints and writes all of it and the other ranks nothing.
 */
public final class TrainJob {
    /** The name the model is saved under. */
    public static final String MODEL_NAME = "model";

    private TrainJob() {
    }

    /**
     * The summary.json document. The data-parallel fields are null for a single process, and then
     * left out of the file.
     *
     * @param dataParallel how the workers ran
     * @param workers      the number of workers
     * @param collective   how the gradients were combined
     * @param exchange     the mean per epoch of the traffic and the split of the time
     * @param ranks        every rank's checksum of its final parameters (empty until the run ends)
     */
    record Summary(Settings config, DataParallelSettings dataParallel, String status, String quantizer,
            Integer workers, String collective, double testAccuracy, double epochSeconds,
            double quantizationSecondsPerEpoch, double avgVariance, double avgNormalizedVariance,
            ExchangeMetrics exchange, List<RankChecksum> ranks, List<EpochMetrics> epochs) {
    }

    /**
     * Trains and writes the results into {@code dir} (already prepared on rank 0; not used on other ranks).
     *
     * @throws NonFiniteLossException after writing what was finished
     */
    public static RunResult run(Experiment experiment, Settings settings, QuantizerFactory quantizers,
            QuantizerType type, Path dir, PrintWriter out, boolean progress) throws Exception {
        DataParallel parallel = experiment.parallel();
        if (parallel != null && !parallel.writesResults()) {
            try {
                return new TrainingRun(experiment, false).train(quantizers.create(type), (q, e) -> { });
            } catch (NonFiniteLossException e) {
                parallel.workers().barrier(); // every rank stops here; rank 0 writes its files first
                throw e;
            }
        }
        List<EpochMetrics> done = new ArrayList<>();
        List<RankChecksum> ranks = new ArrayList<>();
        String status = "completed";
        Exception failure = null;
        try (MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"), parallel != null)) {
            RunResult result = new TrainingRun(experiment, progress).train(quantizers.create(type), (q, e) -> {
                done.add(e);
                csv.append(q, e);
                out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                out.flush();
            }, model -> {
                // DJL names the file after this property: model-NNNN.params, NNNN the epochs trained
                model.setProperty("Epoch", Integer.toString(done.size()));
                model.save(dir, MODEL_NAME);
            });
            ranks.addAll(result.ranks());
            return result;
        } catch (Exception e) {
            status = "stopped: " + e.getMessage();
            failure = e;
            throw e;
        } catch (Error e) {
            status = "stopped: " + e.getMessage();
            throw e;
        } finally {
            RunResult partial = new RunResult(type.cliName(), done, ranks);
            Json.write(dir.resolve("summary.json"), new Summary(settings,
                    parallel == null ? null : parallel.settings(), status, type.cliName(),
                    parallel == null ? null : parallel.size(),
                    parallel == null ? null : parallel.collectiveFor(type).cliName(),
                    partial.finalTestAccuracy(), partial.meanEpochSeconds(), partial.meanQuantizationSeconds(),
                    partial.meanVariance(), partial.meanNormalizedVariance(), partial.meanExchange(),
                    parallel == null ? null : partial.ranks(), done));
            if (parallel != null && failure instanceof NonFiniteLossException) {
                parallel.workers().barrier(); // the other ranks wait for this file before ending the job
            }
        }
    }
}
