package io.gradquant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gradquant.backend.Backend;
import io.gradquant.backend.CpuBackend;
import io.gradquant.reference.JavaBackend;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/** Inputs and backend plumbing shared by the tests. */
public final class TestData {
    private TestData() {
    }

    /** The backends under test, by name. */
    public static Backend backend(String name) {
        return switch (name) {
            case "java" -> new JavaBackend();
            case "cpu" -> new CpuBackend(2);
            case "cuda" -> CudaTesting.backend();
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Gradient-like values: mostly normal with a per-block scale, some heavy-tailed outliers and a
     * few exact zeros, so buckets have uneven ranges as real gradients do.
     */
    public static float[] gradientLike(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        double scale = 1e-3;
        for (int i = 0; i < n; i++) {
            if (i % 97 == 0) {
                scale = Math.exp(r.nextDouble(-9, -2));
            }
            double u = r.nextDouble();
            double v;
            if (u < 0.02) {
                v = 0.0;
            } else if (u < 0.05) {
                v = scale * 20 * (r.nextDouble() - 0.5); // outlier
            } else {
                v = scale * gaussian(r);
            }
            x[i] = (float) v;
        }
        return x;
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Splits {@code x} into direct segments of the given lengths (which must add up to x.length). */
    public static Segments directSegments(float[] x, int... lengths) {
        FloatBuffer[] parts = new FloatBuffer[lengths.length];
        int at = 0;
        for (int i = 0; i < lengths.length; i++) {
            float[] part = new float[lengths[i]];
            System.arraycopy(x, at, part, 0, lengths[i]);
            parts[i] = Segments.directCopy(part);
            at += lengths[i];
        }
        if (at != x.length) {
            throw new IllegalArgumentException("lengths add up to " + at + ", not " + x.length);
        }
        return Segments.of(parts);
    }

    /** The raw bits of each value, for comparing floats bit for bit (NaN payloads and -0.0 included). */
    public static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    /** The flat contents of all segments. */
    public static float[] flatten(Segments s) {
        float[] out = new float[(int) s.totalLength()];
        s.read(0, out, out.length);
        return out;
    }

    /** Quantizes a copy of {@code x} (one direct segment) and returns the output and stats. */
    public static Result quantize(Backend backend, QuantizerSpec spec, long step, float[] x) {
        Segments s = Segments.of(Segments.directCopy(x));
        QuantStats stats = backend.quantize(spec, step, s);
        return new Result(flatten(s), stats);
    }

    /**
     * {@code backend} quantizes {@code x}, split into segments of {@code lengths}, exactly as the
     * java reference does: outputs bit for bit, bucket counts exactly, statistics to
     * summation-order rounding.
     */
    public static void assertSameAsJava(QuantizerSpec spec, Backend backend, long step, float[] x, int[] lengths,
            String context) {
        Segments expected = directSegments(x, lengths);
        Segments actual = directSegments(x, lengths);
        QuantStats want = new JavaBackend().quantize(spec, step, expected);
        QuantStats got = backend.quantize(spec, step, actual);
        assertArrayEquals(QuantizerMatrixTest.bits(flatten(expected)), QuantizerMatrixTest.bits(flatten(actual)), context);
        assertEquals(want.buckets(), got.buckets(), context);
        assertEquals(want.nonFiniteBuckets(), got.nonFiniteBuckets(), context);
        assertEquals(want.variance(), got.variance(), 1e-12 * want.variance(), context);
        assertEquals(want.normSquared(), got.normSquared(), 1e-12 * want.normSquared(), context);
    }

    /** Output values and statistics of one call. */
    public record Result(float[] output, QuantStats stats) {
    }
}
