package io.gradquant.cli;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backends;
import io.gradquant.io.AtomicFile;
import io.gradquant.io.Npy;
import io.gradquant.io.NpyArray;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gradquant quantize}: quantizes one input K times (steps 0 to K-1, each on a fresh copy)
 * and reports the variance, error, bias and levels per bucket, as text or one JSON object.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Quantize a .npy file or a synthetic input and report variance, error, bias and timing.")
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    /** Exactly one input. */
    static final class Source {
        @Option(names = "--input", paramLabel = "FILE.npy", description = "A float32 ('<f4') C-order .npy file.")
        Path file;

        @Option(names = "--synthetic", paramLabel = "DIST:N", converter = Converters.SyntheticInput.class,
                description = "N values from normal, laplace or uniform on [-1,1), seeded by --seed, e.g. normal:20000.")
        Synthetic synthetic;
    }

    @Option(names = "--quantizer", paramLabel = "NAME", defaultValue = "standard", converter = Converters.Quantizer.class,
            description = "none, standard, smart, hadamard or exponential (default: ${DEFAULT-VALUE}).")
    private QuantizerType quantizer;

    @Option(names = "--bucket-size", paramLabel = "N", defaultValue = "" + QuantizerSpec.DEFAULT_BUCKET_SIZE,
            description = "Values per bucket (default: ${DEFAULT-VALUE}).")
    private int bucketSize;

    @Option(names = "--levels", paramLabel = "N", defaultValue = "" + QuantizerSpec.DEFAULT_LEVELS,
            description = "Quantization levels, 2 to 256; 4 or more for exponential (default: ${DEFAULT-VALUE}).")
    private int levels;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--smart-fraction", paramLabel = "F", defaultValue = "" + QuantizerSpec.DEFAULT_SMART_FRACTION,
            description = "Fraction of a bucket smart samples as candidates, in (0, 1] (default: ${DEFAULT-VALUE}).")
    private double smartFraction;

    @Option(names = "--norm", paramLabel = "l2|max", defaultValue = "l2", converter = Converters.Norm.class,
            description = "Bucket norm for exponential: l2 or max (default: ${DEFAULT-VALUE}).")
    private ExponentialNorm norm;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", converter = Converters.Backend.class,
            description = "auto, java, cpu or cuda (default: ${DEFAULT-VALUE}).")
    private String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads for the cpu backend; 0 = all hardware threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "K",
            description = "Independent quantizations of the input, steps 0 to K-1 (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--output", paramLabel = "FILE.npy",
            description = "Write the quantized output of the first repeat (step 0) here.")
    private Path output;

    @Option(names = "--encoded-output", paramLabel = "FILE",
            description = "Write the compressed message of the first repeat (step 0) here (docs/wire-format.md).")
    private Path encodedOutput;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        QuantizerSpec quantizerSpec = validate();
        Backends.Choice choice = Backends.create(backend, threads);
        if (backend.equals("auto")) {
            spec.commandLine().getErr().println("gradquant: " + choice.reason());
            spec.commandLine().getErr().flush();
        }
        QuantizeReport report;
        try {
            report = run(quantizerSpec, new Quantizer(quantizerSpec, choice.backend()));
        } catch (OutOfMemoryError e) {
            // the buffers are the only large allocations; say how to get more instead of dying
            throw new IllegalStateException("out of memory (" + e.getMessage() + "): give Java more with"
                    + " -Xmx and -XX:MaxDirectMemorySize (the launcher passes $JAVA_OPTS)", e);
        }
        print(report);
        return 0;
    }

    /** Every check that needs no input data, so that a bad option never leaves a file written. */
    private QuantizerSpec validate() {
        QuantizerSpec quantizerSpec;
        try {
            quantizerSpec = QuantizerSpec.builder(quantizer).bucketSize(bucketSize).levels(levels).seed(seed)
                    .smartFraction(smartFraction).exponentialNorm(norm).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (repeat < 1) {
            throw usage("--repeat " + repeat + " is not allowed: it must be >= 1");
        }
        if (threads < 0) {
            throw usage("--threads " + threads + " is not allowed: it must be >= 1, or 0 for all hardware threads");
        }
        if (source.synthetic != null && repeat > 1 && source.synthetic.n() > RepeatMetrics.MAX_ARRAY) {
            throw usage(RepeatMetrics.tooLongForRepeats(source.synthetic.n()));
        }
        if (output != null) {
            OutputFiles.check(spec.commandLine(), "--output", output);
        }
        if (encodedOutput != null) {
            OutputFiles.check(spec.commandLine(), "--encoded-output", encodedOutput);
        }
        return quantizerSpec;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private QuantizeReport run(QuantizerSpec quantizerSpec, Quantizer q) throws IOException {
        long[] shape;
        FloatBuffer[] input;
        String inputName;
        if (source.file != null) {
            NpyArray array = Npy.readArray(source.file);
            shape = array.shape();
            input = new FloatBuffer[] {array.data()};
            inputName = source.file.toString();
        } else {
            shape = new long[] {source.synthetic.n()};
            input = FloatChunks.allocate(source.synthetic.n());
            source.synthetic.fill(input, seed);
            inputName = source.synthetic.toString();
        }
        Segments inputSegments = Segments.of(input);
        EncodedMessage message = encode(quantizerSpec, q, inputSegments);
        RepeatMetrics metrics = new RepeatMetrics(inputSegments, quantizerSpec.bucketSize(), repeat);
        FloatBuffer[] work = FloatChunks.copyOf(input);
        Segments workSegments = Segments.of(work);
        for (int step = 0; step < repeat; step++) {
            if (step > 0) {
                FloatChunks.copyInto(input, work);
            }
            long start = System.nanoTime();
            QuantStats stats = q.quantize(workSegments, step);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (step == 0 && output != null) {
                Npy.write(output, shape, work);
            }
            if (step == 0 && encodedOutput != null) {
                AtomicFile.write(encodedOutput, message.bytes());
            }
            metrics.add(workSegments, stats, seconds);
        }
        return new QuantizeReport(inputName, quantizerSpec.type().cliName(), q.backend().name(),
                inputSegments.totalLength(), quantizerSpec.bucketSize(), quantizerSpec.levels(), seed, repeat,
                metrics.variance(), metrics.normalizedVariance(), metrics.relativeMse(), metrics.relativeBias(),
                metrics.maxLevelsPerBucket(), metrics.nonFiniteBuckets(), metrics.seconds(),
                message == null ? null : message.encodedBytes(), message == null ? null : message.bitsPerValue(),
                message == null ? null : message.compressionRatio());
    }

    /**
     * The message of step 0 (untimed, the input left as it is), for the size figures and
     * {@code --encoded-output}; null, with a note, if it would not fit in one buffer and no file
     * asks for it.
     */
    private EncodedMessage encode(QuantizerSpec quantizerSpec, Quantizer q, Segments input) {
        try {
            return EncodedMessage.encode(q.backend(), quantizerSpec, input);
        } catch (IllegalArgumentException e) {
            if (encodedOutput != null) {
                throw e;
            }
            spec.commandLine().getErr().println("gradquant: no message sizes: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return null;
        }
    }

    private void print(QuantizeReport report) {
        // NaN/Infinity cannot arise from finite buckets, but if one ever does, print it rather than fail
        Gson gson = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .serializeSpecialFloatingPointValues().setPrettyPrinting().create();
        PrintWriter out = spec.commandLine().getOut();
        JsonObject tree = gson.toJsonTree(report).getAsJsonObject();
        if (json) {
            out.println(gson.toJson(tree));
        } else {
            for (Map.Entry<String, JsonElement> e : tree.entrySet()) {
                out.printf("%-22s %s%n", e.getKey(), e.getValue().getAsString());
            }
        }
        out.flush();
    }
}
