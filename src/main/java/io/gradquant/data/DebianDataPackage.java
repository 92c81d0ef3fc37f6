package io.gradquant.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs Debian packages with apt-get, for a fresh machine that has the Debian archive but no
 * other way to what a run needs: a data set's package (only Fashion-MNIST has one,
 * {@code dataset-fashion-mnist}, which installs into {@code /usr/share/datasets/fashion-mnist}), or
 * Open MPI for a distributed run. Everything apt prints is copied to the given log, so the user
 * sees what is being done.
 */
public final class DebianDataPackage {
    private final String aptGet;

    /** Uses {@code apt-get} from the PATH. */
    public DebianDataPackage() {
        this("apt-get");
    }

    /** Uses the given apt-get executable (tests pass a stand-in). */
    public DebianDataPackage(String aptGet) {
        this.aptGet = aptGet;
    }

    /** The Debian package that installs {@code kind}, or null if none does. */
    public static String packageName(DatasetKind kind) {
        return kind == DatasetKind.FASHION_MNIST ? "dataset-fashion-mnist" : null;
    }

    /** Null if packages can be installed here, else why not (no apt-get, not root). */
    public String unavailableReason() {
        if (aptGet.contains("/") ? !Files.isExecutable(Path.of(aptGet)) : !onPath(aptGet)) {
            return aptGet + " not found";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "installing packages needs root, and this runs as " + System.getProperty("user.name");
        }
        return null;
    }

    /**
     * Runs {@code apt-get install -y -q PACKAGE}; if that fails (for example on a machine whose
     * package lists were never fetched), {@code apt-get update -q} and the install once more.
     *
     * @throws IOException with apt-get's last lines if the install fails
     */
    public void install(String packageName, PrintWriter log) throws IOException {
        install(List.of(packageName), log);
    }

    /** As {@link #install(String, PrintWriter)}, for several packages in one apt-get call. */
    public void install(List<String> packageNames, PrintWriter log) throws IOException {
        List<String> tail = new ArrayList<>();
        List<String> install = new ArrayList<>(List.of(aptGet, "install", "-y", "-q"));
        install.addAll(packageNames);
        if (run(log, tail, install.toArray(new String[0])) == 0) {
            return;
        }
        log.println("gradquant: apt-get install failed; running apt-get update and trying again");
        log.flush();
        run(log, tail, aptGet, "update", "-q");
        tail.clear();
        int code = run(log, tail, install.toArray(new String[0]));
        if (code != 0) {
            throw new IOException("apt-get install " + String.join(" ", packageNames) + " failed with exit code " + code
                    + ": " + String.join(" / ", tail));
        }
    }

    private static int run(PrintWriter log, List<String> tail, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process process = builder.start();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("(Reading database ...") && !line.endsWith("installed.)")) {
                    continue; // dpkg's progress counter, redrawn with carriage returns: 21 lines of noise
                }
                log.println("  " + line);
                log.flush();
                tail.add(line);
                if (tail.size() > 3) {
                    tail.remove(0);
                }
            }
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
