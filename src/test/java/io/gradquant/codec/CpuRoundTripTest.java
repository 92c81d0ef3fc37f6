package io.gradquant.codec;

import io.gradquant.backend.Backend;
import io.gradquant.backend.CpuBackend;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link RoundTripContract} on the cpu backend with the best vector loops this processor has;
 * {@link CpuAvx2RoundTripTest} and {@link CpuScalarRoundTripTest} run it again with the AVX2 and the
 * scalar loops (each capped at what the processor has), so every path of the native codec meets the
 * java reference's bytes.
 */
class CpuRoundTripTest extends RoundTripContract {
    /** The vector level the contract runs at (CpuBackend.setVectorLevel; capped by the processor). */
    int vectorLevel() {
        return Integer.MAX_VALUE;
    }

    @Override
    protected Backend newBackend() {
        CpuBackend.setVectorLevel(vectorLevel());
        return new CpuBackend(2);
    }

    @AfterAll
    void bestLevelAgain() {
        CpuBackend.setVectorLevel(Integer.MAX_VALUE);
    }
}
