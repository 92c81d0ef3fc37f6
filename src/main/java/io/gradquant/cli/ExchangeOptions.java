package io.gradquant.cli;

import io.gradquant.QuantizerType;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.GradientExchange;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * How a data-parallel run (train, compare) exchanges gradients: the collective, error feedback and
 * the layer filter. See docs/distributed.md. {@link #check} refuses bad values and combinations
 * before anything runs.
 */
final class ExchangeOptions {
    /** The value of --collective that picks per quantizer. */
    static final String AUTO = "auto";

    @Option(names = "--collective", paramLabel = "NAME", defaultValue = AUTO, converter = CollectiveOrAuto.class,
            description = "How the ranks' gradients meet: allgather (each decodes all N messages), reduce-scatter"
                    + " (CGX: chunk j averaged on rank j, re-compressed, allgathered), allreduce (float32"
                    + " MPI_Allreduce, quantizer none only); auto: allreduce for quantizer none (the float32"
                    + " baseline), allgather for the others (default: ${DEFAULT-VALUE}).")
    Collective collective;

    @Option(names = "--error-feedback",
            description = "Keep each rank's compression error and add it to the next step's gradient (quantizers"
                    + " other than none).")
    boolean errorFeedback;

    @Option(names = "--min-quantized-size", paramLabel = "N",
            defaultValue = "" + GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE,
            description = "Tensors with fewer values travel as float32 (default: ${DEFAULT-VALUE}, as CGX).")
    int minQuantizedSize;

    /**
     * Checks the options against the run: a single process takes none of them; allreduce carries
     * only quantizer none; error feedback needs a quantizer that makes an error.
     *
     * @param dataParallel whether the run is data-parallel
     * @param quantizers   the quantizers that will run
     * @throws ParameterException naming the option, for a bad value or combination
     */
    void check(CommandSpec spec, boolean dataParallel, List<QuantizerType> quantizers) {
        if (!dataParallel) {
            for (String option : List.of("--collective", "--error-feedback", "--min-quantized-size")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " applies to data-parallel training:"
                            + " add --workers N (N > 1), or start the command under mpirun");
                }
            }
            return;
        }
        if (minQuantizedSize < 0) {
            throw new ParameterException(spec.commandLine(), "--min-quantized-size " + minQuantizedSize
                    + " is not allowed: it must be >= 0 (0 compresses every tensor)");
        }
        List<String> compressing = quantizers.stream().filter(q -> q != QuantizerType.NONE)
                .map(QuantizerType::cliName).collect(Collectors.toList());
        if (collective == Collective.ALLREDUCE && !compressing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--collective allreduce sums float32 gradients and cannot"
                    + " carry the quantized messages of " + String.join(", ", compressing) + ": use --collective"
                    + " allgather, reduce-scatter or auto, or quantizer none");
        }
        if (errorFeedback && compressing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--error-feedback corrects quantization errors, and"
                    + " quantizer none makes none: leave it out, or use a compressing quantizer");
        }
    }

    /** Converts a --collective name; auto gives null (the default per quantizer). */
    static final class CollectiveOrAuto implements ITypeConverter<Collective> {
        @Override
        public Collective convert(String value) {
            String name = value.trim().toLowerCase(Locale.ROOT);
            if (name.equals(AUTO)) {
                return null;
            }
            try {
                return Collective.fromName(name);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("unknown collective '" + value + "': allowed are " + AUTO + ", "
                        + Collective.allNames());
            }
        }
    }

    /** Converts a --collective name (no auto). */
    static final class CollectiveName implements ITypeConverter<Collective> {
        @Override
        public Collective convert(String value) {
            return Collective.fromName(value);
        }
    }
}
