package io.gradquant.backend;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.reference.JavaBackend;
import java.nio.FloatBuffer;

/**
 * The probe's last step: a standard quantization on the device (buckets that span segments, an
 * empty segment, a partial last bucket, the statistics reduction) must equal the Java reference
 * bit for bit.
 */
final class CudaSelfTest {
    static final int[] LENGTHS = {150, 0, 301};

    private CudaSelfTest() {
    }

    /** Null if the device's result equals the reference, else what differs. */
    static String run(CudaBackend cuda) {
        QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(100).levels(16).seed(7).build();
        Segments expected = segments();
        Segments actual = segments();
        QuantStats want = new JavaBackend().quantize(spec, 5, expected);
        QuantStats got;
        try {
            got = cuda.quantize(spec, 5, actual);
        } catch (RuntimeException e) {
            return CudaProbe.oneLine(e);
        }
        int differ = 0;
        int first = -1;
        int flat = 0;
        for (int s = 0; s < expected.count(); s++) {
            for (int i = 0; i < expected.length(s); i++, flat++) {
                if (Float.floatToRawIntBits(expected.segment(s).get(i)) != Float.floatToRawIntBits(actual.segment(s).get(i))) {
                    differ++;
                    first = first < 0 ? flat : first;
                }
            }
        }
        if (differ > 0) {
            return differ + " of " + flat + " values differ from the Java reference (the first at index " + first + ")";
        }
        if (got.buckets() != want.buckets() || Math.abs(got.variance() - want.variance()) > 1e-9 * want.variance()) {
            return "statistics differ from the Java reference: " + got + " instead of " + want;
        }
        return null;
    }

    private static Segments segments() {
        FloatBuffer[] parts = new FloatBuffer[LENGTHS.length];
        int k = 0;
        for (int s = 0; s < LENGTHS.length; s++) {
            float[] v = new float[LENGTHS[s]];
            for (int i = 0; i < v.length; i++, k++) {
                v[i] = (float) (Math.sin(k * 0.37) * Math.exp(-(k % 17)));
            }
            parts[s] = Segments.directCopy(v);
        }
        return Segments.of(parts);
    }
}
