package consumer;

import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backends;
import java.nio.FloatBuffer;

/** What a library user writes: quantize a gradient in place with a named backend. */
public final class GradientCompression {
    private GradientCompression() {
    }

    /**
     * Quantizes {@code gradient} (a direct, native-order buffer, as the cpu backend needs) in place:
     * standard quantizer, 16 levels, buckets of 512, seed 7, first step.
     */
    public static QuantStats quantize(String backend, FloatBuffer gradient) {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(512).levels(16).seed(7).build();
        Quantizer quantizer = new Quantizer(spec, Backends.create(backend, 1).backend());
        return quantizer.quantize(Segments.of(gradient));
    }
}
