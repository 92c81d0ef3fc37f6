package io.gradquant.codec;

import io.gradquant.backend.Backend;
import io.gradquant.reference.JavaBackend;

/** {@link DecoderErrorsContract} on the java reference. */
class JavaDecoderErrorsTest extends DecoderErrorsContract {
    @Override
    protected Backend newBackend() {
        return new JavaBackend();
    }
}
