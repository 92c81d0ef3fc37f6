package io.gradquant.cli;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.backend.Backends;
import io.gradquant.codec.MessageException;
import io.gradquant.codec.MessageLayout;
import io.gradquant.codec.MessageReader;
import io.gradquant.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gradquant decode}: turns a compressed message (docs/wire-format.md, as {@code quantize
 * --encoded-output} writes it) back into the quantized values, as a flat float32 .npy file. A bad
 * message is a usage error (exit code 2) naming the field at fault; nothing is written.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Decode a compressed gradient message into a float32 .npy file of its values.")
final class DecodeCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "The message, as quantize --encoded-output writes it.")
    private Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.npy", description = "Write the decoded values here (1-d float32).")
    private Path output;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", converter = Converters.Backend.class,
            description = "auto, java, cpu or cuda (default: ${DEFAULT-VALUE}).")
    private String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Threads for the cpu backend; 0 = all hardware threads (default: ${DEFAULT-VALUE}).")
    private int threads;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        if (threads < 0) {
            throw new ParameterException(spec.commandLine(), "--threads " + threads
                    + " is not allowed: it must be >= 1, or 0 for all hardware threads");
        }
        OutputFiles.check(spec.commandLine(), "--output", output);
        ByteBuffer message = read(input);
        MessageLayout layout = check(message);
        if (layout.elements() > Npy.MAX_DATA_BYTES / Float.BYTES) {
            throw new ParameterException(spec.commandLine(), input + " holds " + layout.elements()
                    + " values, more than one .npy output here holds (" + Npy.MAX_DATA_BYTES / Float.BYTES + ")");
        }
        Backends.Choice choice = Backends.create(backend, threads);
        if (backend.equals("auto")) {
            note(choice.reason());
        }
        long[] lengths = layout.segmentLengths();
        FloatBuffer[] parts = new FloatBuffer[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            parts[s] = ByteBuffer.allocateDirect(Math.toIntExact(lengths[s] * Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
        Segments values = Segments.of(parts);
        Backend used = choice.backend();
        double seconds;
        try (used) {
            long start = System.nanoTime();
            used.decode(message, values);
            seconds = (System.nanoTime() - start) / 1e9;
        }
        Npy.write(output, new long[] {layout.elements()}, parts);
        long bytes = message.remaining();
        print(new DecodeReport(input.toString(), layout.type().cliName(), used.name(), layout.elements(), bytes,
                layout.elements() == 0 ? null : 8.0 * bytes / layout.elements(), seconds));
        return 0;
    }

    /** The whole file, if it can be a message at all (at most 2^31 - 1 bytes). */
    private ByteBuffer read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--input " + file + ": no such file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new ParameterException(spec.commandLine(), file + " has " + ch.size()
                        + " bytes: a message has at most 2^31 - 1");
            }
            ByteBuffer b = ByteBuffer.allocateDirect((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // reads until full or the end
            }
            return b.flip();
        }
    }

    /** Checks the whole message against the segment lengths it claims, before anything is allocated from them. */
    private MessageLayout check(ByteBuffer message) {
        try {
            return MessageReader.read(message, MessageReader.segmentLengths(message));
        } catch (MessageException e) {
            throw new ParameterException(spec.commandLine(), input + " is not a valid message: field '" + e.field()
                    + "': " + e.getMessage(), e);
        }
    }

    private void note(String text) {
        spec.commandLine().getErr().println("gradquant: " + text);
        spec.commandLine().getErr().flush();
    }

    private void print(DecodeReport report) {
        Gson gson = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .setPrettyPrinting().create();
        PrintWriter out = spec.commandLine().getOut();
        JsonObject tree = gson.toJsonTree(report).getAsJsonObject();
        if (json) {
            out.println(gson.toJson(tree));
        } else {
            for (Map.Entry<String, JsonElement> e : tree.entrySet()) {
                out.printf("%-16s %s%n", e.getKey(), e.getValue().getAsString());
            }
        }
        out.flush();
    }
}
