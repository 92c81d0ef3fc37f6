package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.harness.DeviceChoice;
import io.gradquant.harness.Experiment;
import io.gradquant.harness.QuantizerFactory;
import io.gradquant.harness.Recipe;
import io.gradquant.harness.Settings;
import io.gradquant.harness.TrainingData;
import java.io.IOException;
import java.io.PrintWriter;
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
 * @param experiment the experiment
 * @param choice     device and backends
 * @param settings   the invocation's settings, for the result files
 * @param dir        the output directory, created
 * @param factory    the quantizers of the runs, on the chosen backend
 */
record HarnessSetup(Experiment experiment, DeviceChoice choice, Settings settings, Path dir,
        QuantizerFactory factory) {
    /**
     * @param files the files the command writes into the output directory (checked before any work)
     */
    static HarnessSetup prepare(CommandSpec spec, HarnessOptions options, QuantizerOptions quantizer, String command,
            List<QuantizerType> quantizers, int varianceSteps, List<String> files) throws IOException {
        Recipe recipe = options.validate(spec, quantizer, quantizers);
        Path dir = options.checkOut(spec, command, files);
        DeviceChoice choice;
        try {
            choice = DeviceChoice.resolve(options.device, quantizer.backend, quantizer.threads);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("gradquant: " + choice.reason());
        err.flush();
        TrainingData data = options.loadData(err);
        Files.createDirectories(dir);
        err.println("gradquant: results go to " + dir);
        err.flush();
        Experiment experiment = new Experiment(options.model, data, recipe, choice.device());
        Settings settings = options.settings(command, quantizer, quantizers, choice, data, varianceSteps);
        return new HarnessSetup(experiment, choice, settings, dir, options.factory(quantizer, choice.backend()));
    }
}
