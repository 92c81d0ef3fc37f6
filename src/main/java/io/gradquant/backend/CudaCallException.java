package io.gradquant.backend;

/** A CUDA driver call that returned an error: names the call, its arguments and the error. */
public final class CudaCallException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int result;

    CudaCallException(String call, int result, String errorName) {
        super(call + " failed: " + errorName + " (" + result + ")");
        this.result = result;
    }

    /** The CUresult the driver returned. */
    public int result() {
        return result;
    }
}
