package io.gradquant;

import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;

/** The edge cases of {@link EdgeCaseTest} on the cuda backend. */
@Tag("cuda")
class CudaEdgeCaseTest extends EdgeCaseTest {
    static Stream<Arguments> typesAndBackends() {
        return Stream.of(QuantizerType.values()).map(t -> Arguments.of(t, "cuda"));
    }

    static Stream<String> backends() {
        return Stream.of("cuda");
    }
}
