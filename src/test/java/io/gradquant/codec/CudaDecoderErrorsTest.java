package io.gradquant.codec;

import io.gradquant.CudaTesting;
import io.gradquant.backend.Backend;
import org.junit.jupiter.api.Tag;

/**
 * {@link DecoderErrorsContract} on the cuda backend: every bad message is refused naming its field
 * and nothing reaches the destination, the codes out of range included (found by gq_check_codes
 * on the device before gq_decode runs).
 */
@Tag("cuda")
class CudaDecoderErrorsTest extends DecoderErrorsContract {
    @Override
    protected Backend newBackend() {
        return CudaTesting.backend();
    }
}
