package io.gradquant.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmark ran on and how busy the machine was: the figures mean little without it. */
public final class Machine {
    private Machine() {
    }

    /**
     * "CPU model, N cores" plus {@code detail} when not empty, e.g.
     * "Intel(R) Xeon(R) Processor @ 2.80GHz, 2 cores, AVX-512 loops".
     */
    public static String describe(String detail) {
        String text = cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        return detail.isEmpty() ? text : text + ", " + detail;
    }

    /** The CPU model from /proc/cpuinfo, or the architecture where that cannot be read. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }

    /**
     * The 1-, 5- and 15-minute load averages from /proc/loadavg, e.g. "0.12 0.30 0.41", or "unknown".
     * On a shared machine a load near the core count means the figures are pessimistic.
     */
    public static String loadAverage() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/loadavg"));
            String[] parts = lines.get(0).split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
