package io.gradquant.codec;

import io.gradquant.backend.Backend;
import io.gradquant.reference.JavaBackend;

/** {@link RoundTripContract} on the java reference. */
class JavaRoundTripTest extends RoundTripContract {
    @Override
    protected Backend newBackend() {
        return new JavaBackend();
    }
}
