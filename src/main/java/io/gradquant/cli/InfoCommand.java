package io.gradquant.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.gradquant.backend.Backends;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradquant info}: which backends work here and why not, the runtime, and what auto picks. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show the backends (cuda, cpu, java) and whether each works here, the Java runtime and"
                + " platform, and the backend that --backend auto picks.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of text.")
    private boolean json;

    @Override
    public Integer call() {
        List<Backends.Status> statuses = Backends.probe();
        Backends.Choice auto = Backends.create("auto", 0);
        String javaVersion = System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.home") + ")";
        String platform = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("version", VersionProvider.version());
            JsonArray backends = new JsonArray();
            for (Backends.Status s : statuses) {
                JsonObject b = new JsonObject();
                b.addProperty("name", s.name());
                b.addProperty("available", s.available());
                b.addProperty("detail", s.detail());
                backends.add(b);
            }
            o.add("backends", backends);
            o.addProperty("auto", auto.backend().name());
            o.addProperty("auto_reason", auto.reason());
            o.addProperty("java", javaVersion);
            o.addProperty("os", platform);
            out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
        } else {
            out.println("gradquant " + VersionProvider.version());
            out.println("backends:");
            for (Backends.Status s : statuses) {
                out.printf("  %-5s %-11s %s%n", s.name(), s.available() ? "available" : "unavailable", s.detail());
            }
            out.println("auto:     " + auto.backend().name() + " (" + auto.reason() + ")");
            out.println("java:     " + javaVersion);
            out.println("platform: " + platform);
        }
        out.flush();
        return 0;
    }
}
