package io.gradquant.backend;

import io.gradquant.QuantizerType;

/** The kernels of {@code cuda/gq_module.cu}, by the name they have in the fatbin (extern "C"). */
enum CudaKernel {
    NONE("gq_none"),
    STANDARD("gq_standard"),
    SMART("gq_smart"),
    HADAMARD("gq_hadamard"),
    EXPONENTIAL("gq_exponential"),
    /** Adds the per-block partial statistics of a quantization launch. */
    REDUCE_STATS("gq_reduce_stats"),
    /** Checks a message's codes against their ranges (cuda/gq_decode.cu). */
    CHECK_CODES("gq_check_codes"),
    /** Writes, or adds, the values a message holds (cuda/gq_decode.cu). */
    DECODE("gq_decode");

    private final String symbol;

    CudaKernel(String symbol) {
        this.symbol = symbol;
    }

    /** The kernel's symbol in the module. */
    String symbol() {
        return symbol;
    }

    /** The quantization kernel of {@code type}. */
    static CudaKernel of(QuantizerType type) {
        return switch (type) {
            case NONE -> NONE;
            case STANDARD -> STANDARD;
            case SMART -> SMART;
            case HADAMARD -> HADAMARD;
            case EXPONENTIAL -> EXPONENTIAL;
        };
    }
}
