package io.gradquant.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DeviceOrdinalTest {
    @Test
    void aProcessThatIsNotARankUsesDeviceZero() {
        assertEquals(0, DeviceOrdinal.choose(null, Map.of(), 4));
    }

    @Test
    void aRankTakesItsRankOnTheNodeModuloTheDeviceCount() {
        assertEquals(3, DeviceOrdinal.choose(null, Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "3"), 4));
        assertEquals(1, DeviceOrdinal.choose(null, Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "5"), 4));
        assertEquals(2, DeviceOrdinal.choose(null, Map.of("MPI_LOCALRANKID", "2"), 8));
        assertEquals(0, DeviceOrdinal.choose(null, Map.of("SLURM_LOCALID", "7"), 1));
        // Open MPI's own variable first, then MPICH's, then Slurm's
        assertEquals(1, DeviceOrdinal.choose(null, Map.of("SLURM_LOCALID", "2", "OMPI_COMM_WORLD_LOCAL_RANK", "1"), 4));
        // a value that is no rank number is passed over
        assertEquals(2, DeviceOrdinal.choose(null, Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "x", "SLURM_LOCALID", "2"), 4));
        assertEquals(0, DeviceOrdinal.choose(null, Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "-1"), 4));
    }

    @Test
    void thePropertyWinsAndIsChecked() {
        assertEquals(2, DeviceOrdinal.choose("2", Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "1"), 4));
        assertEquals("gradquant.cuda.device=4 but there are 4 devices (0 to 3)",
                assertThrows(IllegalArgumentException.class, () -> DeviceOrdinal.choose("4", Map.of(), 4)).getMessage());
        assertEquals("gradquant.cuda.device=-1 but there are 4 devices (0 to 3)",
                assertThrows(IllegalArgumentException.class, () -> DeviceOrdinal.choose("-1", Map.of(), 4)).getMessage());
        assertEquals("gradquant.cuda.device=gpu1 is not a device ordinal: give 0 to 3",
                assertThrows(IllegalArgumentException.class, () -> DeviceOrdinal.choose("gpu1", Map.of(), 4)).getMessage());
    }
}
