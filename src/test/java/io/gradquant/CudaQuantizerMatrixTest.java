package io.gradquant;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The quantizer matrix of {@link QuantizerMatrixTest} on the cuda backend, with the same bucket
 * sizes and fewer elements (the CPU stand-in runs every CUDA thread as an OS thread); counts still
 * leave a partial last bucket. Output equality with java is {@link CudaEquivalenceTest}'s job.
 */
@Tag("cuda")
class CudaQuantizerMatrixTest extends QuantizerMatrixTest {
    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        for (QuantizerType type : QuantizerType.values()) {
            for (int[] bucketAndCount : new int[][] {{1, 51}, {3, 151}, {100, 751}, {512, 1281}, {4096, 5097}}) {
                all.add(Arguments.of(type, "cuda", bucketAndCount[0], bucketAndCount[1]));
            }
        }
        return all.stream();
    }
}
