package io.gradquant.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The measuring options of the benchmark commands (bench, bench-collective), written once: timed
 * rounds, warm-up rounds and the seed of the inputs and the quantizers.
 */
final class RoundOptions {
    @Option(names = "--repeats", paramLabel = "R", defaultValue = "7",
            description = "Timed rounds; figures are their medians (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2",
            description = "Untimed rounds before the timed ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the inputs and the quantizers (default: ${DEFAULT-VALUE}).")
    long seed;

    /** @throws ParameterException naming the option (a usage error, exit code 2) if a count is out of range */
    void check(CommandSpec command) {
        if (repeats < 1) {
            throw new ParameterException(command.commandLine(), "--repeats " + repeats + " is not allowed: it must be >= 1");
        }
        if (warmup < 0) {
            throw new ParameterException(command.commandLine(), "--warmup " + warmup + " is not allowed: it must be >= 0");
        }
    }
}
