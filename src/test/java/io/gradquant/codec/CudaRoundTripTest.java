package io.gradquant.codec;

import io.gradquant.CudaTesting;
import io.gradquant.backend.Backend;
import org.junit.jupiter.api.Tag;

/**
 * {@link RoundTripContract} on the cuda backend (on the CPU stand-in driver, or a real one): its
 * messages equal the java reference's byte for byte, its decode equals its in-place quantize bit
 * for bit, and its decodeAdd equals decode plus the add, for every quantizer, bucket size, level
 * count and layout of the contract.
 */
@Tag("cuda")
class CudaRoundTripTest extends RoundTripContract {
    @Override
    protected Backend newBackend() {
        return CudaTesting.backend();
    }
}
