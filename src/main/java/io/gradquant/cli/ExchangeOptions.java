package io.gradquant.cli;

import io.gradquant.distributed.Collective;
import io.gradquant.distributed.GradientExchange;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How a data-parallel run (train, compare) exchanges gradients: the collective, error feedback and
 * the layer filter. See docs/distributed.md.
 */
final class ExchangeOptions {
    @Option(names = "--collective", paramLabel = "NAME", defaultValue = "allgather", converter = CollectiveName.class,
            description = "How the ranks' gradients meet: allgather (each decodes all N messages), reduce-scatter"
                    + " (CGX: chunk j averaged on rank j, re-compressed, allgathered), allreduce (float32"
                    + " MPI_Allreduce, quantizer none only) (default: ${DEFAULT-VALUE}).")
    Collective collective;

    @Option(names = "--error-feedback",
            description = "Keep each rank's compression error and add it to the next step's gradient.")
    boolean errorFeedback;

    @Option(names = "--min-quantized-size", paramLabel = "N",
            defaultValue = "" + GradientExchange.DEFAULT_MIN_QUANTIZED_SIZE,
            description = "Tensors with fewer values travel as float32 (default: ${DEFAULT-VALUE}, as CGX).")
    int minQuantizedSize;

    /**
     * The exchange's settings from these options.
     *
     * @throws ParameterException for a negative --min-quantized-size
     */
    GradientExchange.Builder configure(CommandSpec spec, GradientExchange.Builder builder) {
        if (minQuantizedSize < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--min-quantized-size " + minQuantizedSize + " is not allowed: it must be >= 0");
        }
        return builder.collective(collective).errorFeedback(errorFeedback).minQuantizedSize(minQuantizedSize);
    }

    /** Converts a --collective name. */
    static final class CollectiveName implements ITypeConverter<Collective> {
        @Override
        public Collective convert(String value) {
            return Collective.fromName(value);
        }
    }
}
