package io.gradquant.cli;

import io.gradquant.BucketLayout;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The quantizer options, written once and mixed into every command that quantizes (quantize,
 * train, compare, bench): bucket size, levels, smart's sample fraction, exponential's norm, the
 * bucket layout, backend and threads. The quantizer type and the seed stay with each command: the
 * type because train takes one and compare and bench a list, the seed because each command seeds
 * more than the quantizer with it (the synthetic input, the model, the data order).
 */
final class QuantizerOptions {
    @Option(names = "--bucket-size", paramLabel = "N", defaultValue = "" + QuantizerSpec.DEFAULT_BUCKET_SIZE,
            description = "Values per bucket, >= 1 (default: ${DEFAULT-VALUE}).")
    int bucketSize;

    @Option(names = "--levels", paramLabel = "N", defaultValue = "" + QuantizerSpec.DEFAULT_LEVELS,
            description = "Quantization levels, " + QuantizerSpec.MIN_LEVELS + " to " + QuantizerSpec.MAX_LEVELS
                    + "; 4 or more for exponential (default: ${DEFAULT-VALUE}).")
    int levels;

    @Option(names = "--smart-fraction", paramLabel = "F", defaultValue = "" + QuantizerSpec.DEFAULT_SMART_FRACTION,
            description = "Fraction of a bucket smart samples as candidate levels, in (0, 1]; it samples at least "
                    + QuantizerSpec.SMART_MIN_SAMPLE + " values, or the whole bucket if smaller"
                    + " (default: ${DEFAULT-VALUE}).")
    double smartFraction;

    @Option(names = "--norm", paramLabel = "l2|max", defaultValue = "l2", converter = Converters.Norm.class,
            description = "Bucket norm that exponential divides by: l2 or max (default: ${DEFAULT-VALUE}).")
    ExponentialNorm norm;

    @Option(names = "--layout", paramLabel = "spanning|per-segment", defaultValue = "spanning",
            converter = Converters.Layout.class,
            description = "How buckets meet tensor boundaries: spanning (a bucket runs on into the next tensor, as in"
                    + " the reference harness, which concatenates all gradients) or per-segment (every tensor starts"
                    + " a new bucket). quantize and bench quantize one tensor, where the two are the same"
                    + " (default: ${DEFAULT-VALUE}).")
    BucketLayout layout;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", converter = Converters.Backend.class,
            description = "Quantization backend: auto, java, cpu or cuda (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads of the cpu backend; 0 = all hardware threads (default: ${DEFAULT-VALUE}).")
    int threads;

    /**
     * The spec of {@code type} with these options and {@code seed}.
     *
     * @throws IllegalArgumentException naming the first option out of range
     */
    QuantizerSpec spec(QuantizerType type, long seed) {
        return QuantizerSpec.builder(type).bucketSize(bucketSize).levels(levels).smartFraction(smartFraction)
                .exponentialNorm(norm).layout(layout).seed(seed).build();
    }

    /**
     * Checks every option against each quantizer that will run, before any work.
     *
     * @return the specs, in the order of {@code types}
     * @throws ParameterException naming the first bad option (a usage error, exit code 2)
     */
    List<QuantizerSpec> check(CommandSpec command, List<QuantizerType> types, long seed) {
        if (threads < 0) {
            throw new ParameterException(command.commandLine(),
                    "--threads " + threads + " is not allowed: it must be >= 1, or 0 for all hardware threads");
        }
        List<QuantizerSpec> specs = new ArrayList<>();
        for (QuantizerType type : types) {
            try {
                specs.add(spec(type, seed));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e);
            }
        }
        return specs;
    }
}
