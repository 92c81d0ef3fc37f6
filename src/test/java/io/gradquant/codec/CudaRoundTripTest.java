package io.gradquant.codec;

import io.gradquant.CudaTesting;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;

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

    /**
     * The contract's cases but smart at 255 and 256 levels in buckets of 1000 and 4096: on the
     * stand-in their level search takes about 100 s of the contract's 220, and they add nothing
     * the codec has not met elsewhere (8-bit codes and 256-point records at bucket 512 and in the
     * other quantizers; those buckets' in-place search in CudaEquivalenceTest).
     */
    static Stream<Arguments> cases() {
        return RoundTripContract.cases().filter(a -> !(a.get()[0] == QuantizerType.SMART && (int) a.get()[2] > 17
                && (int) a.get()[1] > 512));
    }
}
