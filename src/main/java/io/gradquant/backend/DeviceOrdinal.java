package io.gradquant.backend;

import java.util.List;
import java.util.Map;

/**
 * Which CUDA device this process uses. The system property {@code gradquant.cuda.device} names it
 * when set. Otherwise a rank of an MPI job takes its rank on the node modulo the node's device
 * count, so that N ranks on a node with N GPUs each get their own, as clusters expect; a process
 * that is not a rank uses device 0. DJL trains on the same ordinal (see {@code DeviceChoice}).
 */
final class DeviceOrdinal {
    /** System property choosing the device ordinal. */
    static final String PROPERTY = "gradquant.cuda.device";

    /** Variables in which MPI launchers give a rank its rank on the node: Open MPI, MPICH/Hydra, Slurm. */
    static final List<String> LOCAL_RANK_VARIABLES = List.of("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
            "SLURM_LOCALID");

    private DeviceOrdinal() {
    }

    /**
     * The ordinal to use among {@code count} devices (at least 1), from the property's value
     * ({@code property}, null when unset) and the environment.
     *
     * @throws IllegalArgumentException naming the property if its value is not an ordinal in [0, count)
     */
    static int choose(String property, Map<String, String> environment, int count) {
        if (property != null) {
            int ordinal;
            try {
                ordinal = Integer.parseInt(property.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PROPERTY + "=" + property + " is not a device ordinal: give 0 to "
                        + (count - 1));
            }
            if (ordinal < 0 || ordinal >= count) {
                throw new IllegalArgumentException(PROPERTY + "=" + ordinal + " but there are " + count + " devices (0 to "
                        + (count - 1) + ")");
            }
            return ordinal;
        }
        for (String name : LOCAL_RANK_VARIABLES) {
            String value = environment.get(name);
            if (value != null) {
                try {
                    int localRank = Integer.parseInt(value.trim());
                    if (localRank >= 0) {
                        return localRank % count;
                    }
                } catch (NumberFormatException e) {
                    // not a rank number: try the next launcher's variable
                }
            }
        }
        return 0;
    }
}
