package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gradquant compare}: the variance probe, then one training run per quantizer from the same
 * initial parameters and data order, then the table, compare.json, compare.csv, metrics.csv
 * (every epoch of every run), variance.csv (every probe step), accuracy.png and variance.png.
 *
 * <p>A loss that stops being finite is a result, not a crash: a training run that diverges is
 * recorded with its status and the finished epochs, and the next quantizer runs. A probe that
 * diverges ends the comparison (it trains without quantization, so every run would start from a
 * recipe that diverges), keeping the steps it finished. Either way every file is written, each
 * run has a status, and the command then fails.
 */
public final class CompareJob {
    /** The files a comparison writes into its directory. */
    public static final List<String> FILES = List.of("compare.json", "compare.csv", "metrics.csv", "variance.csv",
            "accuracy.png", "variance.png");

    private CompareJob() {
    }

    /**
     * Runs the comparison and writes its results into {@code dir} (already prepared).
     *
     * @param probeBackend the backend the probe quantizes host copies of the gradients with
     * @return the table's rows
     * @throws NonFiniteLossException if the probe's loss stopped being finite, after writing what it measured
     * @throws IllegalStateException  if a training run's loss stopped being finite, after all runs and files
     */
    public static List<CompareRow> run(Experiment experiment, Settings settings, QuantizerFactory factory,
            List<QuantizerType> types, Backend probeBackend, int varianceSteps, Path dir, PrintWriter out,
            boolean progress) throws Exception {
        QuantizerType first = types.get(0);
        String title = experiment.model().cliName() + " on " + experiment.data().kind().cliName() + ", bucket "
                + factory.spec(first).bucketSize() + ", " + factory.spec(first).levels() + " levels";
        Map<String, Quantizer> probeQuantizers = new LinkedHashMap<>();
        types.forEach(t -> probeQuantizers.put(t.cliName(), factory.create(t, probeBackend)));
        out.println("variance probe: " + varianceSteps + " steps of unquantized SGD, measuring "
                + String.join(", ", probeQuantizers.keySet()));
        out.flush();
        VarianceProbe.Result probe = new VarianceProbe(experiment, progress).run(probeQuantizers, varianceSteps);
        writeVariance(dir, probe);
        if (probe.steps() > 0) {
            Charts.variance(dir.resolve("variance.png"), probe.variance(), "Quantization variance, " + title);
        }
        List<CompareRow> rows = new ArrayList<>();
        if (probe.stopped() != null) {
            for (QuantizerType type : types) {
                rows.add(CompareRow.of(new RunResult(type.cliName(), List.of()), "not run: the variance probe stopped",
                        factory.spec(type).toString(), probe));
            }
            CompareReport.write(dir, settings, "stopped: " + probe.stopped().getMessage() + " (" + probe.steps()
                    + " of " + varianceSteps + " probe steps kept; no training run started)", rows);
            throw probe.stopped();
        }

        List<RunResult> runs = new ArrayList<>();
        MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"));
        for (QuantizerType type : types) {
            Quantizer quantizer = factory.create(type);
            List<EpochMetrics> done = new ArrayList<>();
            String status = CompareRow.COMPLETED;
            try {
                new TrainingRun(experiment, progress).train(quantizer, (q, e) -> {
                    done.add(e);
                    csv.append(q, e);
                    out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                    out.flush();
                });
            } catch (NonFiniteLossException e) {
                status = "stopped: " + e.getMessage() + " (" + done.size() + " of " + experiment.recipe().epochs()
                        + " epochs finished)";
                out.println(type.cliName() + " " + status);
                out.flush();
            }
            RunResult run = new RunResult(type.cliName(), done);
            runs.add(run);
            rows.add(CompareRow.of(run, status, quantizer.spec().toString(), probe));
            CompareReport.write(dir, settings, rows.size() < types.size()
                    ? "incomplete: " + rows.size() + " of " + types.size() + " runs finished" : overall(rows), rows);
            Charts.accuracy(dir.resolve("accuracy.png"), runs, "Test accuracy, " + title);
        }
        out.println();
        out.print(CompareReport.table(rows));
        out.flush();
        List<String> stopped = rows.stream().filter(r -> !r.completed()).map(CompareRow::quantizer).toList();
        if (!stopped.isEmpty()) {
            throw new IllegalStateException("the loss of " + String.join(", ", stopped) + " stopped being finite"
                    + " (the other runs went on): the status of each run is in " + dir.resolve("compare.json"));
        }
        return rows;
    }

    /** The document's status once every run has finished. */
    private static String overall(List<CompareRow> rows) {
        List<String> stopped = rows.stream().filter(r -> !r.completed()).map(CompareRow::quantizer).toList();
        return stopped.isEmpty() ? CompareRow.COMPLETED : "stopped runs: " + String.join(", ", stopped)
                + " (a non-finite loss; see each run's status)";
    }

    /** variance.csv: step, then each quantizer's variance and normalised variance. */
    private static void writeVariance(Path dir, VarianceProbe.Result probe) throws IOException {
        StringBuilder csv = new StringBuilder("step");
        for (String q : probe.quantizers()) {
            csv.append(',').append(q).append("_variance,").append(q).append("_normalized_variance");
        }
        csv.append('\n');
        for (int s = 0; s < probe.steps(); s++) {
            csv.append(s + 1);
            for (String q : probe.quantizers()) {
                csv.append(',').append(probe.variance().get(q)[s]).append(',').append(probe.normalizedVariance().get(q)[s]);
            }
            csv.append('\n');
        }
        OutputFile.writeString(dir.resolve("variance.csv"), csv);
    }
}
