package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
    @Test
    void listsTheThreeBackendsAndTheAutoChoice() {
        CliRunner.Result r = CliRunner.run("info");
        assertEquals(0, r.code(), r.err());
        for (String name : List.of("cuda", "cpu", "java")) {
            assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith(name + " ")
                    && (l.contains(" available ") || l.contains(" unavailable "))), name + " missing in:\n" + r.out());
        }
        assertTrue(r.out().contains("auto:"), r.out());
        assertTrue(r.out().contains("java:     " + System.getProperty("java.version")), r.out());
        assertTrue(r.out().contains(System.getProperty("os.arch")), r.out());
        assertEquals("", r.err());
    }

    @Test
    void jsonListsTheThreeBackendsInOrder() {
        CliRunner.Result r = CliRunner.run("info", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        JsonArray backends = o.getAsJsonArray("backends");
        List<String> names = StreamSupport.stream(backends.spliterator(), false)
                .map(b -> b.getAsJsonObject().get("name").getAsString()).collect(Collectors.toList());
        assertEquals(List.of("cuda", "cpu", "java"), names);
        backends.forEach(b -> assertTrue(b.getAsJsonObject().has("available") && b.getAsJsonObject().has("detail")));
        // java is always there, so auto always picks something that probe() calls available
        String auto = o.get("auto").getAsString();
        assertTrue(StreamSupport.stream(backends.spliterator(), false).map(b -> b.getAsJsonObject())
                .anyMatch(b -> b.get("name").getAsString().equals(auto) && b.get("available").getAsBoolean()));
        assertTrue(o.has("java") && o.has("os") && o.has("auto_reason"));
    }

    @Test
    void helpAndVersionWorkOnEveryCommand() {
        for (String[] args : new String[][] {{"--help"}, {"info", "--help"}, {"quantize", "--help"}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("Usage: gradquant"), r.out());
        }
        for (String[] args : new String[][] {{"--version"}, {"info", "--version"}, {"quantize", "-V"}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(0, r.code());
            assertTrue(r.out().startsWith("gradquant "), r.out());
        }
    }

    @Test
    void noCommandIsAUsageError() {
        CliRunner.Result r = CliRunner.run();
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("gradquant: error: no command given"), r.err());
    }
}
