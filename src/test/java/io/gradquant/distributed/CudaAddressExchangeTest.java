package io.gradquant.distributed;

import io.gradquant.CudaTesting;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.CudaBackend;
import io.gradquant.backend.RawSegments;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The exchange's address path on device memory with the cuda backend: encode and decode on the
 * device, zeroing and float32 staging through driver copies. In the cuda test JVM the driver is the
 * CPU stand-in, whose allocations the memory comes from.
 */
@Tag("cuda")
class CudaAddressExchangeTest extends AddressExchangeContract {
    @BeforeEach
    void requireTheBackend() {
        CudaTesting.backend().close(); // fails or skips here, on the test's thread, when there is none
    }

    @Override
    AddressBackend backend() {
        return new CudaBackend();
    }

    @Override
    RawSegments allocate(int... lengths) {
        return RawSegments.device(lengths);
    }
}
