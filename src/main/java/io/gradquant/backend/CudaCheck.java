package io.gradquant.backend;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Checks the return code of every CUDA driver call. JCuda's own exceptions stay disabled so that
 * each failure names the call that failed and what it was asked to do.
 */
final class CudaCheck {
    private CudaCheck() {
    }

    /** @throws CudaCallException if {@code result} is not CUDA_SUCCESS */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(call, result, errorName(result));
        }
    }

    /** The driver's name for {@code result}, e.g. CUDA_ERROR_OUT_OF_MEMORY. */
    static String errorName(int result) {
        String[] name = new String[1];
        int r = JCudaDriver.cuGetErrorName(result, name);
        return r == CUresult.CUDA_SUCCESS && name[0] != null ? name[0] : CUresult.stringFor(result);
    }
}
