package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.harness.DataParallel;
import io.gradquant.harness.DeviceChoice;
import io.gradquant.harness.Experiment;
import io.gradquant.harness.QuantizerFactory;
import io.gradquant.harness.Recipe;
import io.gradquant.harness.Settings;
import io.gradquant.harness.TrainingData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The steps train and compare share before training: check the options, pick device and backend,
 * claim the output directory, find and load the data, draw the initial parameters. Cheap checks
 * come first, so a bad option fails before anything slow happens or anything is written.
 *
 * <p>Data-parallel ({@link DataParallelSetup}): every rank checks its options, then joins the MPI
 * world; rank 0 alone claims the output directory and speaks on the log; the ranks find their data
 * one after another (so that two never install the same package at once), compare their
 * configurations, and start from rank 0's initial parameters.
 *
 * @param experiment the experiment
 * @param choice     device and backends
 * @param settings   the invocation's settings, for the result files
 * @param dir        the output directory, created (on rank 0; null on other ranks, which write nothing)
 * @param factory    the quantizers of the runs, on the chosen backend
 * @param parallel   this rank's part in data-parallel training, or null for a single process
 */
record HarnessSetup(Experiment experiment, DeviceChoice choice, Settings settings, Path dir,
        QuantizerFactory factory, DataParallel parallel) {
    /**
     * The checks that need neither MPI nor data, for the process that starts the ranks: a bad
     * option stops it before any rank starts.
     *
     * @param files the files the command writes into the output directory
     * @throws ParameterException naming the first bad option
     */
    static void check(CommandSpec spec, HarnessOptions options, QuantizerOptions quantizer, ExchangeOptions exchange,
            String command, List<QuantizerType> quantizers, List<String> files) {
        options.validate(spec, quantizer, quantizers);
        exchange.check(spec, true, quantizers);
        try {
            DataParallelSetup.device(options.device, exchange);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (options.out != null) {
            options.checkOut(spec, command, files);
        }
    }

    /**
     * @param files the files the command writes into the output directory (checked before any work)
     */
    static HarnessSetup prepare(CommandSpec spec, HarnessOptions options, QuantizerOptions quantizer,
            WorkerOptions workers, ExchangeOptions exchange, String command, List<QuantizerType> quantizers,
            int varianceSteps, List<String> files) throws IOException {
        Recipe recipe = options.validate(spec, quantizer, quantizers);
        boolean dataParallel = workers.role(spec) == WorkerOptions.Role.RANK;
        exchange.check(spec, dataParallel, quantizers);
        String device;
        try {
            device = dataParallel ? DataParallelSetup.device(options.device, exchange) : options.device;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        DataParallel parallel = dataParallel ? DataParallelSetup.join(spec, workers, exchange) : null;
        boolean speaks = parallel == null || parallel.writesResults();
        Path dir = speaks ? options.checkOut(spec, command, files) : null;
        int threads = parallel == null ? quantizer.threads : DataParallelSetup.threadsPerRank(quantizer.threads);
        DeviceChoice choice;
        try {
            choice = DeviceChoice.resolve(device, quantizer.backend, threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter err = speaks ? spec.commandLine().getErr() : new PrintWriter(new StringWriter());
        if (parallel != null) {
            err.println("gradquant: data-parallel training on " + parallel.size() + " workers; rank 0 reports");
        }
        err.println("gradquant: " + choice.reason());
        err.flush();
        TrainingData data = parallel == null ? options.loadData(err) : DataParallelSetup.loadInTurn(parallel, options, err);
        Settings settings = options.settings(command, quantizer, quantizers, choice, data, varianceSteps);
        QuantizerFactory factory = options.factory(quantizer, choice.backend());
        // data-parallel, before anything is written: a rank whose configuration differs stops every rank
        Experiment experiment = parallel == null ? new Experiment(options.model, data, recipe, choice.device())
                : new Experiment(options.model, data, recipe, choice.device(), parallel,
                        DataParallelSetup.configuration(parallel, data, factory, quantizers, settings));
        if (dir != null) {
            Files.createDirectories(dir);
            err.println("gradquant: results go to " + dir);
            err.flush();
        }
        return new HarnessSetup(experiment, choice, settings, dir, factory, parallel);
    }
}
