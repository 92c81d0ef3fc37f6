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

    private static final String CUDA_MISSING =
            "not built into this version of gradquant yet: the CUDA kernels and JCuda loader are still to come";

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
        all.add(new Status("cuda", false, CUDA_MISSING));
        String cpu = CpuBackend.unavailableReason();
        all.add(cpu == null
                ? new Status("cpu", true, "native library loaded, " + NativeCpu.hardwareThreads() + " hardware threads, "
                        + NativeCpu.vectorLevelName(NativeCpu.vectorLevel()))
                : new Status("cpu", false, cpu));
        all.add(new Status("java", true, "pure Java reference, always available"));
        return all;
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
            case "cuda":
                throw new IllegalStateException("backend cuda is unavailable: " + CUDA_MISSING);
            case "auto":
                StringBuilder passed = new StringBuilder();
                for (Status s : probe()) {
                    if (s.available()) {
                        Backend b = s.name().equals("cpu") ? new CpuBackend(threads) : new JavaBackend();
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
