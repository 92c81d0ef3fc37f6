package io.gradquant.backend;

/** The cpu backend's memory operations on host memory by address. */
class CpuAddressMemoryTest extends AddressMemoryContract {
    @Override
    AddressBackend backend() {
        return new CpuBackend(2);
    }

    @Override
    RawSegments allocate(int... lengths) {
        return RawSegments.host(lengths);
    }
}
