package io.gradquant;

/**
 * The per-bucket norm that {@link QuantizerType#EXPONENTIAL} divides by. {@link #id()} identifies
 * it in messages (docs/wire-format.md), over JNI and in CUDA ({@code gq::NormId}); ids never change.
 */
public enum ExponentialNorm {
    /** Euclidean norm of the bucket (the reference's choice). Id 0. */
    L2(0),
    /** Largest absolute value in the bucket. Id 1. */
    MAX(1);

    private final int id;

    ExponentialNorm(int id) {
        this.id = id;
    }

    /** The norm's id: L2 0, max 1. */
    public int id() {
        return id;
    }

    /** The norm with id {@code id}, or null if there is none. */
    public static ExponentialNorm fromId(int id) {
        for (ExponentialNorm n : values()) {
            if (n.id == id) {
                return n;
            }
        }
        return null;
    }
}
