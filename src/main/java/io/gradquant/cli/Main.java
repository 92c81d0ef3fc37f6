package io.gradquant.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code gradquant} command line: {@code quantize}, {@code decode}, {@code train}, {@code compare},
 * {@code bench} and {@code info}. Errors print one line,
 * {@code gradquant: error: ...}, with exit code 2 for usage errors and 1 for failures.
 */
@Command(name = "gradquant", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Quantize neural-network gradients and measure the result.",
        subcommands = {QuantizeCommand.class, DecodeCommand.class, TrainCommand.class, CompareCommand.class,
            BenchCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        quietLogging();
        int code;
        try {
            code = newCommandLine().execute(args);
        } catch (Throwable e) {
            // picocli hands Errors (not Exceptions) through; still one line, no stack trace
            System.err.println(ErrorHandler.PREFIX + ErrorHandler.message(e));
            code = 1;
        }
        System.exit(code);
    }

    /**
     * DJL logs through SLF4J at info when the engine loads (native paths, versions): the command
     * line's provider (slf4j-simple) shows warnings and errors only, and not DJL's warning that it
     * cannot count GPUs on machines without one (CI). Set here rather than in a
     * simplelogger.properties in the jar, which would configure the logging of any application
     * that has gradquant on its class path. -D options on the command line take precedence.
     */
    private static void quietLogging() {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
    }

    /**
     * A configured command line: error handlers installed, stdout and stderr as picocli's defaults.
     * Tests call {@code setOut}/{@code setErr} on it and then {@code execute}.
     */
    public static CommandLine newCommandLine() {
        ErrorHandler errors = new ErrorHandler();
        return new CommandLine(new Main())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** Without a subcommand there is nothing to do: a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "no command given: use 'gradquant quantize|train|compare ...' or 'gradquant info' (see 'gradquant --help')");
    }
}
