package io.gradquant.codec;

/** {@link RoundTripContract} on the cpu backend with the portable scalar loops. */
class CpuScalarRoundTripTest extends CpuRoundTripTest {
    @Override
    int vectorLevel() {
        return 0;
    }
}
