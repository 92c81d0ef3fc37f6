package io.gradquant.harness;

import io.gradquant.Quantizer;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
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
 * Data-parallel, every rank runs the probe and the runs, and rank 0 alone prints and writes; the
 * table and files gain the exchange's columns.
 */
public final class CompareJob {
    private CompareJob() {
    }

    /**
     * Runs the comparison and writes its results into {@code dir} (already prepared).
     *
     * @param probeBackend the backend the probe quantizes host copies of the gradients with
     * @return the table's rows
     * @throws NonFiniteLossException after writing the finished runs
     */
    public static List<CompareRow> run(Experiment experiment, Settings settings, QuantizerFactory factory,
            List<QuantizerType> types, Backend probeBackend, int varianceSteps, Path dir, PrintWriter out,
            boolean progress) throws Exception {
        DataParallel parallel = experiment.parallel();
        if (parallel != null && !parallel.writesResults()) {
            return runSilently(experiment, factory, types, probeBackend, varianceSteps);
        }
        DataParallelSettings dataParallel = parallel == null ? null : parallel.settings();
        String title = experiment.model().cliName() + " on " + experiment.data().kind().cliName() + ", bucket "
                + factory.bucketSize() + ", " + factory.levels() + " levels"
                + (parallel == null ? "" : ", " + parallel.size() + " workers");
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

        List<RunResult> runs = new ArrayList<>();
        List<CompareRow> rows = new ArrayList<>();
        try (MetricsCsv csv = new MetricsCsv(dir.resolve("metrics.csv"), parallel != null)) {
            for (QuantizerType type : types) {
                RunResult run;
                try {
                    run = new TrainingRun(experiment, progress).train(factory.create(type), (q, e) -> {
                        csv.append(q, e);
                        out.println(EpochLine.of(q, e, experiment.recipe().epochs()));
                        out.flush();
                    });
                } catch (NonFiniteLossException e) {
                    if (parallel != null) {
                        parallel.workers().barrier(); // the finished runs are on disk; every rank stops together
                    }
                    throw e;
                }
                runs.add(run);
                rows.add(CompareRow.of(run, probe));
                CompareReport.write(dir, settings, dataParallel, rows);
                Charts.accuracy(dir.resolve("accuracy.png"), runs, "Test accuracy, " + title);
            }
        }
        out.println();
        out.print(CompareReport.table(rows));
        out.flush();
        return rows;
    }

    /** A data-parallel rank other than 0: the same probe and runs, in the same order, printing and writing nothing. */
    private static List<CompareRow> runSilently(Experiment experiment, QuantizerFactory factory,
            List<QuantizerType> types, Backend probeBackend, int varianceSteps) throws Exception {
        Map<String, Quantizer> probeQuantizers = new LinkedHashMap<>();
        types.forEach(t -> probeQuantizers.put(t.cliName(), factory.create(t, probeBackend)));
        VarianceProbe.Result probe = new VarianceProbe(experiment, false).run(probeQuantizers, varianceSteps);
        List<CompareRow> rows = new ArrayList<>();
        for (QuantizerType type : types) {
            try {
                rows.add(CompareRow.of(new TrainingRun(experiment, false).train(factory.create(type), (q, e) -> { }),
                        probe));
            } catch (NonFiniteLossException e) {
                experiment.parallel().workers().barrier(); // wait until rank 0 has written
                throw e;
            }
        }
        return rows;
    }

    /** variance.csv: step, then each quantizer's variance and normalised variance. */
    private static void writeVariance(Path dir, VarianceProbe.Result probe) throws java.io.IOException {
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
        java.nio.file.Files.writeString(dir.resolve("variance.csv"), csv);
    }
}
