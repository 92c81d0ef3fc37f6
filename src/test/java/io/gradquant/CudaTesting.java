package io.gradquant;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.gradquant.backend.CudaBackend;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the CUDA tests need, and whether its absence fails them or skips them. The Maven build sets
 * {@value #BUILD} to {@code on} (the default build: nvcc was required, so the fatbin and the CPU
 * stand-in driver must be there, and a test that misses them fails) or {@code off}
 * ({@code -Dgradquant.cuda=off}: no fatbin, on purpose; such tests are skipped, and the cuda
 * execution does not run at all). Without the property (a test run from an IDE) they are skipped
 * with the reason.
 */
public final class CudaTesting {
    /** Set by the Maven build for every test JVM: on or off, the value of -Dgradquant.cuda. */
    public static final String BUILD = "gradquant.cuda";
    /** Set by the cuda surefire execution: the backend must be available. */
    public static final String REQUIRED = "gradquant.test.cuda.required";

    private CudaTesting() {
    }

    /** The cuda backend, or a failed/aborted test saying why there is none. */
    public static CudaBackend backend() {
        String reason = CudaBackend.unavailableReason();
        if (reason == null) {
            return new CudaBackend();
        }
        if (Boolean.getBoolean(REQUIRED)) {
            fail("the cuda backend is required here but unavailable: " + reason);
        }
        return abort("cuda backend unavailable: " + reason);
    }

    /** Whether this is a Maven build that must have the fatbin (the default, -Dgradquant.cuda=on). */
    public static boolean kernelsRequired() {
        return "on".equals(System.getProperty(BUILD));
    }

    /**
     * Fails the test if this build must have the CUDA kernels, else skips it; {@code what} says
     * what is missing.
     */
    public static <T> T missingKernels(String what) {
        if (kernelsRequired()) {
            return fail(what + ", but this build must have the CUDA kernels (nvcc is required unless"
                    + " -Dgradquant.cuda=off)");
        }
        String why = "off".equals(System.getProperty(BUILD)) ? "built with -Dgradquant.cuda=off" : "not run by Maven";
        return abort(what + " (" + why + ")");
    }

    /**
     * The directory of the CPU stand-in libcuda.so.1. Maven builds it in every build: there, a
     * missing library fails the test; outside Maven (no directory set) the test is skipped.
     */
    public static Path standIn() {
        Path dir = JvmProcess.standInDirectory();
        if (dir == null) {
            return abort("the stand-in driver's directory is set by the Maven build only");
        }
        if (!Files.exists(dir.resolve("libcuda.so.1"))) {
            return fail("the Maven build should have built the stand-in driver " + dir.resolve("libcuda.so.1"));
        }
        return dir;
    }

    /** {@link #standIn()}, and the fatbin, which the stand-in needs to load (it checks its magic). */
    public static Path standInWithKernels() {
        Path dir = standIn();
        if (CudaTesting.class.getResource("/cuda/gradquant.fatbin") == null) {
            return missingKernels("no CUDA fatbin on the class path");
        }
        return dir;
    }
}
