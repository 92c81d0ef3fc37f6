package io.gradquant.distributed;

import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.CpuBackend;
import io.gradquant.backend.RawSegments;

/** The exchange's address path on host memory with the cpu backend (what GPU training does, short of a GPU). */
class CpuAddressExchangeTest extends AddressExchangeContract {
    @Override
    AddressBackend backend() {
        return new CpuBackend(1);
    }

    @Override
    RawSegments allocate(int... lengths) {
        return RawSegments.host(lengths);
    }
}
