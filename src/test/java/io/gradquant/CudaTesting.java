package io.gradquant;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.gradquant.backend.CudaBackend;

/**
 * The cuda backend for tests tagged "cuda". Those run in their own surefire execution, against the
 * CPU stand-in driver (src/test/native) by default or a real driver where there is one; there the
 * property {@value #REQUIRED} is set and a missing backend fails the test. Anywhere else (say a
 * test run from an IDE without the stand-in) they are skipped with the reason.
 */
public final class CudaTesting {
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
        // a build without nvcc has no kernels: nothing to test, the build still goes on
        if (Boolean.getBoolean(REQUIRED) && !reason.startsWith("this build has no CUDA kernels")) {
            fail("the cuda backend is required here but unavailable: " + reason);
        }
        return abort("cuda backend unavailable: " + reason);
    }
}
