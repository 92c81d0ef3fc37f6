package io.gradquant.bench;

import io.gradquant.backend.Backend;
import io.gradquant.backend.Backends;
import io.gradquant.backend.CpuBackend;
import io.gradquant.backend.CudaBackend;
import java.nio.FloatBuffer;

/**
 * Makes the {@link BenchTarget} of a backend name: java and cpu on host buffers, cuda on device
 * memory with a device-to-device copy as its baseline.
 */
public final class BenchTargets {
    private BenchTargets() {
    }

    /** A chosen target and the line saying why (for {@code auto}). */
    public record Choice(BenchTarget target, String reason) {
    }

    /**
     * The target of backend {@code name} (auto, java, cpu or cuda) over slots holding copies of
     * {@code pristine}.
     *
     * @param threads threads for the cpu backend, 0 for all hardware threads
     * @throws IllegalStateException    with the reason if the backend cannot be used here
     * @throws IllegalArgumentException for an unknown name
     */
    public static Choice create(String name, int threads, FloatBuffer[] pristine) {
        Backends.Choice choice = Backends.create(name, threads);
        return new Choice(forBackend(choice.backend(), pristine), choice.reason());
    }

    private static BenchTarget forBackend(Backend backend, FloatBuffer[] pristine) {
        if (backend instanceof CpuBackend cpu) {
            return new HostTarget(cpu, cpu.threads(), vectorLevelName(CpuBackend.vectorLevel()),
                    "native copy on " + cpu.threads() + " thread(s), work split as in quantization",
                    cpu::copy, pristine);
        }
        if (backend instanceof CudaBackend cuda) {
            return new CudaTarget(cuda, pristine);
        }
        if (backend.name().equals("java")) {
            // The reference runs on one thread, so its baseline is one thread's memory speed.
            return new HostTarget(backend, 1, "", "one-thread bulk copy (FloatBuffer.put, i.e. memcpy)",
                    BenchTargets::bulkCopy, pristine);
        }
        throw new IllegalStateException("backend " + backend.name() + " has no benchmark target yet");
    }

    private static void bulkCopy(FloatBuffer src, FloatBuffer dst) {
        // duplicates: a bulk put moves positions, and the slots' positions must stay at 0
        dst.duplicate().clear().put(src.duplicate().clear());
    }

    /** The name of a native vector level (see {@link CpuBackend#vectorLevel()}). */
    static String vectorLevelName(int level) {
        return switch (level) {
            case 2 -> "AVX-512 loops";
            case 1 -> "AVX2 loops";
            default -> "scalar loops";
        };
    }
}
