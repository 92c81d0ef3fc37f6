package consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.QuantStats;
import io.gradquant.Segments;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The core artifact works for a user with nothing but its own dependencies: the java and cpu
 * backends quantize a Gaussian gradient to the same bits, and the result is a standard
 * quantization: at most 16 distinct values per bucket of 512, each within one level step of the
 * input, and unbiased within 5 standard deviations (the variance the backend reports is the
 * variance of the summed rounding error, the roundings being independent).
 */
class QuantizeTest {
    static final int N = 20_000;
    static final int BUCKET = 512;
    static final int LEVELS = 16;

    @Test
    void javaAndCpuGiveTheSameStandardQuantization() {
        float[] x = gaussian(N);
        float[][] out = new float[2][];
        QuantStats[] stats = new QuantStats[2];
        String[] backends = {"java", "cpu"};
        for (int b = 0; b < 2; b++) {
            FloatBuffer gradient = Segments.directCopy(x);
            stats[b] = GradientCompression.quantize(backends[b], gradient);
            out[b] = new float[N];
            gradient.get(0, out[b]);
        }
        assertArrayEquals(bits(out[0]), bits(out[1]), "java and cpu differ");
        // the statistics are sums, whose rounding depends on the order of additions
        assertEquals(stats[0].variance(), stats[1].variance(), 1e-9 * stats[0].variance(), "variance");
        assertEquals(stats[0].normSquared(), stats[1].normSquared(), 1e-9 * stats[0].normSquared(), "norm squared");
        assertEquals((N + BUCKET - 1) / BUCKET, stats[0].buckets());

        double error = 0;
        for (int start = 0; start < N; start += BUCKET) {
            int end = Math.min(N, start + BUCKET);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = start; i < end; i++) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            double step = ((double) max - min) / (LEVELS - 1);
            TreeSet<Float> values = new TreeSet<>();
            for (int i = start; i < end; i++) {
                values.add(out[0][i]);
                assertTrue(Math.abs((double) out[0][i] - x[i]) <= step * (1 + 1e-6),
                        "element " + i + ": " + x[i] + " became " + out[0][i] + ", more than one level step " + step);
                error += (double) out[0][i] - x[i];
            }
            assertTrue(values.size() <= LEVELS, "bucket at " + start + " has " + values.size() + " values");
        }
        assertTrue(stats[0].variance() > 0, "no rounding variance reported: " + stats[0]);
        double sd = Math.sqrt(stats[0].variance());
        assertTrue(Math.abs(error) <= 5 * sd, "summed error " + error + " is beyond 5 standard deviations " + sd);
    }

    static float[] gaussian(int n) {
        SplittableRandom random = new SplittableRandom(11);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return x;
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
