package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gradquant.io.Npy;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class SyntheticTest {
    @Test
    void parsesDistAndCount() {
        assertEquals(new Synthetic(Synthetic.Distribution.LAPLACE, 12), Synthetic.parse("Laplace:12"));
        assertEquals("uniform:536870911", Synthetic.parse("uniform:536870911").toString());
    }

    @Test
    void rejectsBadSpecs() {
        for (String bad : new String[] {"normal", "cauchy:5", "normal:0", "normal:-1", "normal:1.5", ":5", "normal:",
            "normal:536870912", "normal:3000000000", "normal:99999999999999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> Synthetic.parse(bad), bad);
        }
    }

    @Test
    void momentsMatchTheDistributions() {
        int n = 200_000;
        double[] normal = moments(sample("normal", n));
        assertEquals(0, normal[0], 0.01);
        assertEquals(1, normal[1], 0.02);
        double[] laplace = moments(sample("laplace", n));
        assertEquals(0, laplace[0], 0.015);
        assertEquals(2, laplace[1], 0.05);
        float[] u = sample("uniform", n);
        double[] uniform = moments(u);
        assertEquals(0, uniform[0], 0.01);
        assertEquals(1.0 / 3, uniform[1], 0.01);
        for (float v : u) {
            assertTrue(v >= -1f && v < 1f, "uniform value " + v);
        }
    }

    @Test
    void theLimitIsTheNpyLimitAndTheMessageSaysIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Synthetic.parse("normal:" + (Npy.MAX_ELEMENTS + 1L)));
        assertTrue(e.getMessage().contains("element count 536870912 in 'normal:536870912' is not allowed: it must be"
                + " in [1, 536870911]"), e.getMessage());
        assertEquals(Npy.MAX_ELEMENTS, Synthetic.parse("normal:" + Npy.MAX_ELEMENTS).n());
    }

    private static float[] sample(String dist, int n) {
        FloatBuffer b = FloatBuffer.allocate(n);
        Synthetic.parse(dist + ":" + n).fill(b, 42);
        return b.array();
    }

    /** Mean and variance. */
    private static double[] moments(float[] x) {
        double sum = 0;
        double sumSquares = 0;
        for (float v : x) {
            sum += v;
            sumSquares += (double) v * v;
        }
        double mean = sum / x.length;
        return new double[] {mean, sumSquares / x.length - mean * mean};
    }
}
