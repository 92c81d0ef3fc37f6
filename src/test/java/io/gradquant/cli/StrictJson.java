package io.gradquant.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parses JSON as RFC 8259 defines it. Gson's JsonParser is lenient and takes bare NaN and
 * Infinity, which Python's json module, jq and browsers refuse; a result file must parse here.
 */
final class StrictJson {
    private static final TypeAdapter<JsonElement> ELEMENT = new com.google.gson.Gson().getAdapter(JsonElement.class);

    private StrictJson() {
    }

    /** The one JSON value {@code text} holds. */
    static JsonElement parse(String text) {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement value = ELEMENT.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("more than one JSON value");
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON object in {@code file}. */
    static JsonObject object(Path file) throws IOException {
        return parse(Files.readString(file)).getAsJsonObject();
    }
}
