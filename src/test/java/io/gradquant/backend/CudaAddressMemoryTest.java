package io.gradquant.backend;

import io.gradquant.CudaTesting;
import org.junit.jupiter.api.Tag;

/** The cuda backend's memory operations on device memory (the stand-in's allocations in the cuda test JVM). */
@Tag("cuda")
class CudaAddressMemoryTest extends AddressMemoryContract {
    @Override
    AddressBackend backend() {
        return CudaTesting.backend();
    }

    @Override
    RawSegments allocate(int... lengths) {
        return RawSegments.device(lengths);
    }
}
