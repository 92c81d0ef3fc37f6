package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.distributed.Collective;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The data-parallel options of train and compare (docs/distributed.md), shown as their own group
 * in the help. {@link #check} refuses bad values and combinations before anything runs.
 */
final class DistributedOptions {
    /** The help section's heading. */
    static final String HEADING = "%nData-parallel training (docs/distributed.md):%n";

    /** The value of --collective that picks per quantizer. */
    static final String AUTO = "auto";

    @Option(names = "--workers", paramLabel = "N",
            description = "Train data-parallel on N worker processes (MPI ranks), each on --batch-size examples of"
                    + " every global batch: ./gradquant starts them on this machine through mpirun. Under mpirun (or"
                    + " a cluster's launcher) every process is one worker and N, if given, must be the job's size.")
    Integer workers;

    @Option(names = "--collective", paramLabel = "NAME", converter = Converters.CollectiveName.class,
            description = "How the workers combine gradients: allgather, reduce-scatter, or allreduce (float32, quantizer"
                    + " none only); auto: allreduce for quantizer none, allgather for the others (default: ${DEFAULT-VALUE}).")
    String collective = AUTO;

    @Option(names = "--error-feedback",
            description = "Each worker adds the error its quantizer made on the previous step to the gradient it sends"
                    + " (not for quantizer none, which makes none).")
    boolean errorFeedback;

    @Option(names = "--min-quantized-size", paramLabel = "N",
            description = "Tensors with fewer values (biases, batch norm) travel as float32, as in CGX"
                    + " (default: ${DEFAULT-VALUE}).")
    int minQuantizedSize = 1024;

    /**
     * What was asked for: null for a single process (no --workers, not started by an MPI launcher),
     * else the data-parallel settings.
     *
     * @param insideJob  whether an MPI launcher started this process
     * @param quantizers the quantizers that will run
     * @throws ParameterException naming the option, for a bad value or combination
     */
    Request check(CommandSpec spec, boolean insideJob, List<QuantizerType> quantizers) {
        if (workers != null && workers < 1) {
            throw new ParameterException(spec.commandLine(), "--workers " + workers + " is not allowed: it must be >= 1");
        }
        if (workers == null && !insideJob) {
            for (String option : List.of("--collective", "--error-feedback", "--min-quantized-size")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " applies to data-parallel training:"
                            + " add --workers N, or start the command under mpirun");
                }
            }
            return null;
        }
        if (minQuantizedSize < 0) {
            throw new ParameterException(spec.commandLine(), "--min-quantized-size " + minQuantizedSize
                    + " is not allowed: it must be >= 0 (0 compresses every tensor)");
        }
        Collective chosen = collective.equals(AUTO) ? null : Collective.fromName(collective);
        if (chosen == Collective.ALLREDUCE && quantizers.stream().anyMatch(q -> q != QuantizerType.NONE)) {
            throw new ParameterException(spec.commandLine(), "--collective allreduce sums float32 gradients and cannot"
                    + " carry the quantized messages of " + quantizers.stream().filter(q -> q != QuantizerType.NONE)
                            .map(QuantizerType::cliName).collect(Collectors.joining(", "))
                    + ": use --collective allgather or reduce-scatter (or auto), or quantizer none");
        }
        if (errorFeedback && quantizers.stream().allMatch(q -> q == QuantizerType.NONE)) {
            throw new ParameterException(spec.commandLine(), "--error-feedback corrects quantization errors, and"
                    + " quantizer none makes none: leave it out, or use a compressing quantizer");
        }
        return new Request(workers, chosen, errorFeedback, minQuantizedSize);
    }

    /**
     * Checked data-parallel settings.
     *
     * @param workers          the --workers value, or null to take the job's size
     * @param collective       the collective, or null for the default per quantizer
     * @param errorFeedback    --error-feedback
     * @param minQuantizedSize --min-quantized-size
     */
    record Request(Integer workers, Collective collective, boolean errorFeedback, int minQuantizedSize) {
    }
}
