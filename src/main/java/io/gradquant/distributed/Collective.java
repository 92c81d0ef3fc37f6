package io.gradquant.distributed;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the ranks' gradients meet ({@code --collective}); see docs/distributed.md for their traffic. */
public enum Collective {
    /**
     * Every rank sends its compressed gradient to all; each decodes all N messages in rank order,
     * adding each with weight 1/N. Bytes sent per rank: (N-1) messages.
     */
    ALLGATHER("allgather"),
    /**
     * As in CGX: the flat gradient is cut into N chunks on bucket boundaries; rank j receives every
     * peer's compressed chunk j, decodes and averages them with its own, compresses the average,
     * and these are allgathered. Bytes sent per rank: about 2(N-1)/N messages.
     */
    REDUCE_SCATTER("reduce-scatter"),
    /** Float32 MPI_Allreduce of the gradient, the uncompressed baseline; only with quantizer none. */
    ALLREDUCE("allreduce");

    private final String cliName;

    Collective(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** All names, comma-separated, for messages. */
    public static String allNames() {
        return Arrays.stream(values()).map(Collective::cliName).collect(Collectors.joining(", "));
    }

    /**
     * The collective called {@code name}.
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static Collective fromName(String name) {
        for (Collective c : values()) {
            if (c.cliName.equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("collective '" + name + "' is not known: use one of " + allNames());
    }
}
