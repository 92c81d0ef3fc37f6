package io.gradquant.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backends;
import io.gradquant.harness.Json;
import io.gradquant.io.Npy;
import io.gradquant.io.NpyArray;
import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        @Option(names = "--input", paramLabel = "FILE.npy", description = "A float32 ('<f4') C-order .npy file of at"
                + " most " + Npy.MAX_ELEMENTS + " values; a named pipe or <(command) works too.")
        Path file;

        @Option(names = "--synthetic", paramLabel = "DIST:N", converter = Converters.SyntheticInput.class,
                description = "N values from normal, laplace or uniform on [-1,1), seeded by --seed, e.g. normal:20000;"
                        + " N at most " + Npy.MAX_ELEMENTS + ".")
        Synthetic synthetic;
    }

    @Option(names = "--quantizer", paramLabel = "NAME", defaultValue = "standard", converter = Converters.Quantizer.class,
            description = "none, standard, smart, hadamard or exponential (default: ${DEFAULT-VALUE}).")
    private QuantizerType quantizer;

    @Mixin
    private QuantizerOptions options;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the quantizer and of a synthetic input (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--repeat", defaultValue = "1", paramLabel = "K",
            description = "Independent quantizations of the input, steps 0 to K-1 (default: ${DEFAULT-VALUE}).")
    private int repeat;

    @Option(names = "--output", paramLabel = "FILE.npy",
            description = "Write the quantized output of the first repeat (step 0) here: a new name or a regular file,"
                    + " replaced whole; a symbolic link is written through.")
    private Path output;

    @Option(names = "--encoded-output", paramLabel = "FILE",
            description = "Write the compressed message of the first repeat (step 0) here (docs/wire-format.md).")
    private Path encodedOutput;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        QuantizerSpec quantizerSpec = validate();
        Backends.Choice choice = Backends.create(options.backend, options.threads);
        if (options.backend.equals("auto")) {
            spec.commandLine().getErr().println("gradquant: " + choice.reason());
            spec.commandLine().getErr().flush();
        }
        QuantizeReport report;
        try {
            report = run(quantizerSpec, new Quantizer(quantizerSpec, choice.backend()));
        } catch (OutOfMemoryError e) {
            // validate() checked the sizes it could know; an input from a pipe has none until it is read
            throw new IllegalStateException("out of memory (" + e.getMessage() + "): give Java more with"
                    + " -Xmx and -XX:MaxDirectMemorySize (the launcher passes $JAVA_OPTS)", e);
        }
        print(report);
        return 0;
    }

    /**
     * Every check that needs no input data, so that a bad option fails at once (exit code 2) and
     * never leaves a file written: the options, the output file, and the memory the input needs.
     */
    private QuantizerSpec validate() {
        QuantizerSpec quantizerSpec = options.check(spec, List.of(quantizer), seed).get(0);
        if (repeat < 1) {
            throw usage("--repeat " + repeat + " is not allowed: it must be >= 1");
        }
        if (output != null) {
            OutputFiles.check(spec.commandLine(), "--output", output);
        }
        if (encodedOutput != null) {
            OutputFiles.check(spec.commandLine(), "--encoded-output", encodedOutput);
        }
        checkMemory();
        return quantizerSpec;
    }

    /**
     * Refuses an input this JVM cannot hold: the input and its working copy in direct memory, and
     * with {@code --repeat} above 1 the sum of the outputs on the heap. The size of a file is known
     * from the file system; a pipe's only once it is read.
     */
    private void checkMemory() {
        long n;
        String what;
        if (source.synthetic != null) {
            n = source.synthetic.n();
            what = "--synthetic " + source.synthetic;
        } else {
            if (!Files.isRegularFile(source.file)) {
                return;
            }
            try {
                long bytes = Files.size(source.file);
                n = bytes / Float.BYTES;
                if (n > Npy.MAX_ELEMENTS) {
                    return; // too large for any memory: reading its header says so, naming the limit
                }
                what = "--input " + source.file + " (a file of " + bytes + " bytes)";
            } catch (IOException e) {
                return; // reading it will say what is wrong
            }
        }
        String shortfall = MemoryBudget.shortfall(what + (repeat > 1 ? " with --repeat " + repeat : ""),
                2L * Float.BYTES * n, repeat > 1 ? RepeatMetrics.heapBytes(n) : 0);
        if (shortfall != null) {
            throw usage(shortfall);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private QuantizeReport run(QuantizerSpec quantizerSpec, Quantizer q) throws IOException {
        long[] shape;
        FloatBuffer input;
        String inputName;
        if (source.file != null) {
            NpyArray array = Npy.readArray(source.file);
            shape = array.shape();
            input = array.data();
            inputName = source.file.toString();
        } else {
            shape = new long[] {source.synthetic.n()};
            input = ByteBuffer.allocateDirect(source.synthetic.n() * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            source.synthetic.fill(input, seed);
            inputName = source.synthetic.toString();
        }
        Segments inputSegments = Segments.of(input);
        EncodedMessage message = encode(quantizerSpec, q, inputSegments);
        RepeatMetrics metrics = new RepeatMetrics(inputSegments, quantizerSpec.bucketSize(), repeat);
        FloatBuffer work = ByteBuffer.allocateDirect(input.limit() * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        Segments workSegments = Segments.of(work);
        for (int step = 0; step < repeat; step++) {
            work.clear().put(input.duplicate().clear()).clear();
            long start = System.nanoTime();
            QuantStats stats = q.quantize(workSegments, step);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (step == 0 && output != null) {
                Npy.write(output, shape, work);
            }
            if (step == 0 && encodedOutput != null) {
                OutputFile.writeBytes(encodedOutput, message.bytes());
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
        // NaN/Infinity cannot arise from finite buckets; if one ever does, it is null, as in every result file
        PrintWriter out = spec.commandLine().getOut();
        JsonObject tree = Json.GSON.toJsonTree(report).getAsJsonObject();
        if (json) {
            out.println(Json.GSON.toJson(tree));
        } else {
            for (Map.Entry<String, JsonElement> e : tree.entrySet()) {
                out.printf("%-22s %s%n", e.getKey(), e.getValue().isJsonNull() ? "null" : e.getValue().getAsString());
            }
        }
        out.flush();
    }
}
