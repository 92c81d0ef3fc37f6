package io.gradquant.harness;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.gradquant.io.OutputFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The JSON of every result the command line prints or writes: pretty-printed, snake_case field
 * names, and {@code null} for a number that is NaN or infinite (a metric of a run stopped before
 * its first epoch, say), because JSON has no such numbers; the document's {@code status} says why.
 */
public final class Json {
    /** Writes non-finite doubles as null, keeping the key (serializeNulls), so every document has every field. */
    private static final TypeAdapter<Double> FINITE_OR_NULL = new TypeAdapter<>() {
        @Override
        public void write(JsonWriter out, Double value) throws IOException {
            if (value == null || !Double.isFinite(value)) {
                out.nullValue();
            } else {
                out.value(value);
            }
        }

        @Override
        public Double read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return Double.NaN;
            }
            return in.nextDouble();
        }
    };

    /** The configured Gson. */
    public static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
            .registerTypeAdapter(Double.class, FINITE_OR_NULL).registerTypeAdapter(double.class, FINITE_OR_NULL)
            .serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();

    private Json() {
    }

    /** Writes {@code value} to {@code file} whole or not at all ({@link OutputFile}). */
    static void write(Path file, Object value) throws IOException {
        OutputFile.writeString(file, GSON.toJson(value) + "\n");
    }
}
