package io.gradquant;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The quantization schemes. {@link #cliName()} is the name used on the command line and in JSON;
 * {@link #id()} the number that identifies it in messages (docs/wire-format.md), over JNI and in
 * the CUDA kernels ({@code gq::QuantizerId} in cuda/gq_common.cuh). Ids never change: a new
 * quantizer takes the next free one.
 */
public enum QuantizerType {
    /** Leaves every value unchanged. Id 0. */
    NONE(0),
    /** {@code levels} evenly spaced points from bucket min to bucket max, unbiased stochastic rounding. Id 1. */
    STANDARD(1),
    /** {@code levels} (near) variance-optimal points chosen from a sample of the bucket, unbiased rounding. Id 2. */
    SMART(2),
    /** Random signs and an orthonormal Walsh-Hadamard rotation around {@link #STANDARD}. Id 3. */
    HADAMARD(3),
    /** Sign plus stochastic rounding of |x|/norm to zero or one of levels/2-1 powers of two. Id 4. */
    EXPONENTIAL(4);

    private final int id;

    QuantizerType(int id) {
        this.id = id;
    }

    /** The quantizer's id in messages, over JNI and in CUDA: none 0, standard 1, smart 2, hadamard 3, exponential 4. */
    public int id() {
        return id;
    }

    /** The quantizer with id {@code id}, or null if there is none. */
    public static QuantizerType fromId(int id) {
        for (QuantizerType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }

    /** Lower-case name used on the command line, in JSON and by the native kernels' dispatch. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line name.
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static QuantizerType parse(String name) {
        for (QuantizerType t : values()) {
            if (t.cliName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown quantizer '" + name + "': allowed are " + allNames());
    }

    /** The allowed names, comma separated. */
    public static String allNames() {
        return Arrays.stream(values()).map(QuantizerType::cliName).collect(Collectors.joining(", "));
    }
}
