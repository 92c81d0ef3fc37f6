package io.gradquant.backend;

import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses a backend by name: {@code java}, {@code cpu}, {@code cuda}, or {@code auto} for the best
 * one that works here (cuda, then cpu, then java), with the reason for each one passed over.
 */
public final class Backends {
    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("auto", "java", "cpu", "cuda");

    private Backends() {
    }

    /** Whether one backend can be used here, and why not. */
    public record Status(String name, boolean available, String detail) {
    }

    /** A chosen backend and one line saying why it was chosen. */
    public record Choice(Backend backend, String reason) {
    }

    /** The status of every concrete backend, best first. */
    public static List<Status> probe() {
        List<Status> all = new ArrayList<>();
        String cuda = cudaUnavailableReason();
        all.add(new Status("cuda", cuda == null, cuda == null ? CudaBackend.describe() : cuda));
        String cpu = CpuBackend.unavailableReason();
        all.add(cpu == null
                ? new Status("cpu", true, "native library loaded, " + NativeCpu.hardwareThreads() + " hardware threads, "
                        + NativeCpu.vectorLevelName(NativeCpu.vectorLevel()))
                : new Status("cpu", false, cpu));
        all.add(new Status("java", true, "pure Java reference, always available"));
        return all;
    }

    /**
     * Null if the cuda backend can be used here, else the reason. Also guards against JCuda missing
     * from the class path (the jar run without its lib/ directory).
     */
    private static String cudaUnavailableReason() {
        try {
            return CudaBackend.unavailableReason();
        } catch (LinkageError e) {
            return "JCuda is not on the class path: " + e;
        }
    }

    /**
     * The backend named {@code name}.
     *
     * @param threads threads for the cpu backend (0 = all hardware threads)
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    with the reason, if the named backend cannot be used here
     */
    public static Choice create(String name, int threads) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "java":
                return new Choice(new JavaBackend(), "java requested");
            case "cpu":
                return new Choice(new CpuBackend(threads), "cpu requested");
            case "cuda": {
                String reason = cudaUnavailableReason();
                if (reason != null) {
                    throw new IllegalStateException("backend cuda is unavailable: " + reason);
                }
                return new Choice(new CudaBackend(), "cuda requested");
            }
            case "auto":
                StringBuilder passed = new StringBuilder();
                for (Status s : probe()) {
                    if (s.available()) {
                        Backend b = switch (s.name()) {
                            case "cuda" -> new CudaBackend();
                            case "cpu" -> new CpuBackend(threads);
                            default -> new JavaBackend();
                        };
                        return new Choice(b, "auto chose " + s.name() + passed);
                    }
                    passed.append("; ").append(s.name()).append(" unavailable: ").append(s.detail());
                }
                throw new IllegalStateException("no backend available" + passed);
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "': allowed are " + String.join(", ", NAMES));
        }
    }
}
