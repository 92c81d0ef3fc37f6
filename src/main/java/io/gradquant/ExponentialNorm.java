package io.gradquant;

/** The per-bucket norm that {@link QuantizerType#EXPONENTIAL} divides by. */
public enum ExponentialNorm {
    /** Euclidean norm of the bucket (the reference's choice). */
    L2,
    /** Largest absolute value in the bucket. */
    MAX
}
