package io.gradquant.codec;

/** {@link RoundTripContract} on the cpu backend with the AVX2 loops. */
class CpuAvx2RoundTripTest extends CpuRoundTripTest {
    @Override
    int vectorLevel() {
        return 1;
    }
}
