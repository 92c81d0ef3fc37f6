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
 *
 * <p>Data-parallel, every rank runs the probe and the runs in the same order (the ranks agree on
 * every step's loss, so they stop and go on together), rank 0 alone prints and writes, and the
 * table and files gain the exchange's columns. The ranks meet once more at the end, so that no
 * rank ends the job while rank 0 is still writing.
 */
public final class CompareJob {
    /** The files a comparison writes into its directory. */
    public static final List<String> FILES = List.of("compare.json", "compare.csv", "metrics.csv", "variance.csv",
            "accuracy.png", "variance.png");

    private CompareJob() {
    }

    /**
     * Runs the comparison and writes its results into {@code dir} (already prepared on rank 0; not
     * used on other ranks).
     *
     * @param probeBackend the backend the probe quantizes host copies of the gradients with
     * @return the table's rows
     * @throws NonFiniteLossException if the probe's loss stopped being finite, after writing what it measured
     * @throws IllegalStateException  if a training run's loss stopped being finite, after all runs and files
     */
    public static List<CompareRow> run(Experiment experiment, Settings settings, QuantizerFactory factory,
            List<QuantizerType> types, Backend probeBackend, int varianceSteps, Path dir, PrintWriter out,
            boolean progress) throws Exception {
        DataParallel parallel = experiment.parallel();
        boolean writes = parallel == null || parallel.writesResults();
        Output files = writes ? new Output(experiment, settings, factory, types, dir, out) : null;
        Map<String, Quantizer> probeQuantizers = new LinkedHashMap<>();
        types.forEach(t -> probeQuantizers.put(t.cliName(), factory.create(t, probeBackend)));
        if (writes) {
            out.println("variance probe: " + varianceSteps + " steps of unquantized SGD, measuring "
                    + String.join(", ", probeQuantizers.keySet()));
            out.flush();
        }
        VarianceProbe.Result probe = new VarianceProbe(experiment, factory.backend(), writes && progress)
                .run(probeQuantizers, varianceSteps);
        List<CompareRow> rows = new ArrayList<>();
        if (probe.stopped() != null) {
            if (writes) {
                files.probeStopped(probe, varianceSteps);
            }
            meet(parallel);
            throw probe.stopped();
        }
        if (writes) {
            files.probe(probe);
        }
        List<RunResult> runs = new ArrayList<>();
        for (QuantizerType type : types) {
            Quantizer quantizer = factory.create(type);
            List<EpochMetrics> done = new ArrayList<>();
            String status = CompareRow.COMPLETED;
            RunResult run;
            try {
                run = new TrainingRun(experiment, writes && progress).train(quantizer, (q, e) -> {
                    done.add(e);
                    if (writes) {
                        files.epoch(q, e);
                    }
                });
            } catch (NonFiniteLossException e) {
                status = "stopped: " + e.getMessage() + " (" + done.size() + " of " + experiment.recipe().epochs()
                        + " epochs finished)";
                if (writes) {
                    out.println(type.cliName() + " " + status);
                    out.flush();
                }
                run = new RunResult(type.cliName(), done);
            }
            runs.add(run);
            rows.add(CompareRow.of(run, status, quantizer.spec().toString(), probe));
            if (writes) {
                files.runs(rows, runs);
            }
        }
        if (writes) {
            out.println();
            out.print(CompareReport.table(rows));
            out.flush();
        }
        meet(parallel);
        List<String> stopped = rows.stream().filter(r -> !r.completed()).map(CompareRow::quantizer).toList();
        if (!stopped.isEmpty()) {
            throw new IllegalStateException("the loss of " + String.join(", ", stopped) + " stopped being finite"
                    + " (the other runs went on): the status of each run is in " + dir.resolve("compare.json"));
        }
        return rows;
    }

    /** Data-parallel: every rank waits here until rank 0 has written (no rank ends the job before). */
    private static void meet(DataParallel parallel) {
        if (parallel != null) {
            parallel.workers().barrier();
        }
    }

    /** What rank 0 (or a single process) prints and writes as the comparison goes. */
    private static final class Output {
        private final Experiment experiment;
        private final Settings settings;
        private final QuantizerFactory factory;
        private final List<QuantizerType> types;
        private final Path dir;
        private final PrintWriter out;
        private final DataParallelSettings dataParallel;
        private final String title;
        private MetricsCsv csv;

        Output(Experiment experiment, Settings settings, QuantizerFactory factory, List<QuantizerType> types,
                Path dir, PrintWriter out) throws IOException {
            this.experiment = experiment;
            this.settings = settings;
            this.factory = factory;
            this.types = types;
            this.dir = dir;
            this.out = out;
            DataParallel parallel = experiment.parallel();
            this.dataParallel = parallel == null ? null : parallel.settings();
            QuantizerType first = types.get(0);
            this.title = experiment.model().cliName() + " on " + experiment.data().kind().cliName() + ", bucket "
                    + factory.spec(first).bucketSize() + ", " + factory.spec(first).levels() + " levels"
                    + (parallel == null ? "" : ", " + parallel.size() + " workers");
        }

        /** The probe's files; metrics.csv is started here, once training runs will follow. */
        void probe(VarianceProbe.Result probe) throws IOException {
            probeFiles(probe);
            csv = new MetricsCsv(dir.resolve("metrics.csv"), experiment.parallel() != null);
        }

        private void probeFiles(VarianceProbe.Result probe) throws IOException {
            writeVariance(dir, probe);
            if (probe.steps() > 0) {
                Charts.variance(dir.resolve("variance.png"), probe.variance(), "Quantization variance, " + title);
            }
        }

        void probeStopped(VarianceProbe.Result probe, int varianceSteps) throws IOException {
            probeFiles(probe);
            List<CompareRow> rows = new ArrayList<>();
            for (QuantizerType type : types) {
                rows.add(CompareRow.of(new RunResult(type.cliName(), List.of()), "not run: the variance probe stopped",
                        factory.spec(type).toString(), probe));
            }
            CompareReport.write(dir, settings, "stopped: " + probe.stopped().getMessage() + " (" + probe.steps()
                    + " of " + varianceSteps + " probe steps kept; no training run started)", dataParallel, rows);
        }

        void epoch(String quantizer, EpochMetrics e) throws IOException {
            csv.append(quantizer, e);
            out.println(EpochLine.of(quantizer, e, experiment.recipe().epochs()));
            out.flush();
        }

        void runs(List<CompareRow> rows, List<RunResult> runs) throws IOException {
            CompareReport.write(dir, settings, rows.size() < types.size()
                    ? "incomplete: " + rows.size() + " of " + types.size() + " runs finished" : overall(rows),
                    dataParallel, rows);
            Charts.accuracy(dir.resolve("accuracy.png"), runs, "Test accuracy, " + title);
        }
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
