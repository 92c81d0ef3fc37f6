package io.gradquant;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The quantization schemes. {@link #cliName()} is the name used on the command line and in JSON. */
public enum QuantizerType {
    /** Leaves every value unchanged. */
    NONE,
    /** {@code levels} evenly spaced points from bucket min to bucket max, unbiased stochastic rounding. */
    STANDARD,
    /** {@code levels} (near) variance-optimal points chosen from a sample of the bucket, unbiased rounding. */
    SMART,
    /** Random signs and an orthonormal Walsh-Hadamard rotation around {@link #STANDARD}. */
    HADAMARD,
    /** Sign plus stochastic rounding of |x|/norm to zero or one of levels/2-1 powers of two. */
    EXPONENTIAL;

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
