package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerType;
import io.gradquant.io.OutputFile;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gradquant train}: one quantizer, one line per epoch, {@code DIR/metrics.csv} (rewritten
 * as epochs finish), {@code DIR/summary.json} (written at the end, also when the run stops
 * early: its {@code status} says why, and a number there is no value for is null) and the trained
 * parameters, {@code DIR/model.params} (DJL's parameter format, as {@code Block.saveParameters}
 * writes it: {@code block.loadParameters(manager, in)} on a block of the same architecture reads
 * it). Data-parallel, rank 0 prints and writes all of it and the other ranks nothing.
 */
public final class TrainJob {
    /** The file the trained parameters go to. */
    public static final String MODEL_FILE = "model.params";
    /** The files a run writes into its directory. */
    public static final List<String> FILES = List.of("metrics.csv", "summary.json", MODEL_FILE);

    private TrainJob() {
    }

    /**
     * The summary.json document. The data-parallel fields are null for a single process, and then
     * left out of the file.
     *
     * @param dataParallel  how the workers ran
     * @param status        "completed", or "stopped: " and why, with the number of epochs finished
     * @param quantizerSpec the spec the run quantized with, as {@link io.gradquant.QuantizerSpec#toString()} says it
     * @param workers       the number of workers
     * @param collective    how the gradients were combined
     * @param exchange      the mean per epoch of the traffic and the split of the time
     * @param ranks         every rank's checksum of its final parameters (empty if the run stopped)
     */
    record Summary(Settings config, DataParallelSettings dataParallel, String status, String quantizer,
            String quantizerSpec, Integer workers, String collective, double testAccuracy, double epochSeconds,
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
        Quantizer quantizer = quantizers.create(type);
        if (parallel != null && !parallel.writesResults()) {
            try {
                return new TrainingRun(experiment, false).train(quantizer, (q, e) -> { });
            } catch (NonFiniteLossException e) {
                parallel.workers().barrier(); // every rank stops here; rank 0 writes its files first
                throw e;
            }
        }
        List<EpochMetrics> done = new ArrayList<>();
        List<RankChecksum> ranks = new ArrayList<>();
        String status = "completed";
        Throwable failure = null;
        MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"), parallel != null);
        try {
            RunResult result = new TrainingRun(experiment, progress).train(quantizer, (q, e) -> {
                done.add(e);
                csv.append(q, e);
                out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                out.flush();
            }, model -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (DataOutputStream params = new DataOutputStream(bytes)) {
                    model.getBlock().saveParameters(params);
                }
                OutputFile.writeBytes(dir.resolve(MODEL_FILE), ByteBuffer.wrap(bytes.toByteArray()));
            });
            ranks.addAll(result.ranks());
            return result;
        } catch (Exception | Error e) {
            status = "stopped: " + e.getMessage() + " (" + done.size() + " of " + experiment.recipe().epochs()
                    + " epochs finished; a figure without a finished epoch is null)";
            failure = e;
            throw e;
        } finally {
            RunResult partial = new RunResult(type.cliName(), done, ranks);
            Json.write(dir.resolve("summary.json"), new Summary(settings,
                    parallel == null ? null : parallel.settings(), status, type.cliName(), quantizer.spec().toString(),
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
