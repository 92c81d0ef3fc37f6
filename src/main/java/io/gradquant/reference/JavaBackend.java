package io.gradquant.reference;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.backend.BucketPlan;
import io.gradquant.codec.Encoded;
import io.gradquant.codec.MessageLayout;
import io.gradquant.codec.MessageReader;
import io.gradquant.codec.MessageWriter;
import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;

/**
 * The reference backend: plain Java written for obviousness, the oracle of the tests and the
 * portable fallback. Works on heap and direct buffers. Each bucket is gathered into an array,
 * checked for NaN/Inf, encoded by its kernel (points and codes) and, for in-place quantization,
 * decoded and written back: in-place quantization and decode(encode(x)) are the same code.
 */
public final class JavaBackend implements Backend {
    @Override
    public String name() {
        return "java";
    }

    @Override
    public QuantStats quantize(QuantizerSpec spec, long step, Segments segments) {
        return run(spec, step, segments, null, true);
    }

    @Override
    public Encoded encode(QuantizerSpec spec, long step, Segments segments, ByteBuffer out, boolean writeBack) {
        MessageWriter writer = new MessageWriter(spec, step, segments.lengths(), out);
        QuantStats stats = run(spec, step, segments, writer, writeBack);
        return new Encoded(writer.finish(), stats);
    }

    /**
     * Quantizes bucket by bucket: each is encoded by its kernel; the encoding goes to
     * {@code writer} (if any), and with {@code writeBack} its decoded values go back in place.
     */
    private QuantStats run(QuantizerSpec spec, long step, Segments segments, MessageWriter writer, boolean writeBack) {
        BucketKernel kernel = kernelFor(spec);
        BucketPlan plan = BucketPlan.of(spec, segments);
        int longest = (int) Math.min(spec.bucketSize(), Math.max(1, segments.totalLength()));
        float[] bucket = new float[longest];
        int[] codes = new int[(int) WireFormat.codeCount(spec.type(), longest)];
        double variance = 0.0;
        double normSquared = 0.0;
        long nonFinite = 0;
        for (long b = 0; b < plan.buckets(); b++) {
            long start = plan.start(b);
            int n = plan.length(b);
            segments.read(start, bucket, n);
            boolean finite = true;
            for (int i = 0; i < n; i++) {
                finite &= Float.isFinite(bucket[i]);
            }
            double bucketNorm = SumOfSquares.of(bucket, n);
            BucketKernel.Encoding e = finite ? kernel.encode(bucket, n, start, b, step, codes)
                    : BucketKernel.Encoding.UNREPRESENTABLE;
            if (writer != null) {
                if (e.points() == null) {
                    writer.unchanged(bucket, n);
                } else {
                    writer.quantized(e.points(), codes);
                }
            }
            if (Double.isNaN(e.variance())) {
                nonFinite++; // left unchanged: nothing is written back
                continue;
            }
            if (writeBack && e.points() != null) {
                kernel.decode(e.points(), codes, bucket, n, start, step);
                segments.write(start, bucket, n);
            }
            variance += e.variance();
            normSquared += bucketNorm;
        }
        return new QuantStats(variance, normSquared, plan.buckets(), nonFinite);
    }

    @Override
    public void decode(ByteBuffer message, Segments destination) {
        decode(message, destination, false, 0.0f);
    }

    @Override
    public void decodeAdd(ByteBuffer message, Segments destination, float weight) {
        decode(message, destination, true, weight);
    }

    /**
     * Reads and checks the message, checks every code (the pre-pass: nothing is written before the
     * whole message is known to be valid), then writes or adds bucket by bucket.
     */
    private void decode(ByteBuffer message, Segments destination, boolean add, float weight) {
        MessageLayout layout = MessageReader.read(message, destination.lengths());
        QuantizerSpec spec = layout.spec();
        BucketPlan plan = layout.plan();
        int longest = (int) Math.min(spec.bucketSize(), Math.max(1, layout.elements()));
        float[] values = new float[longest];
        int[] codes = new int[(int) WireFormat.codeCount(spec.type(), longest)];
        for (long b = 0; b < layout.buckets(); b++) {
            if (layout.kind(b) == WireFormat.KIND_QUANTIZED) {
                layout.codes(b, codes);
                layout.checkCodes(b, codes);
            }
        }
        if (spec.type() == QuantizerType.NONE) {
            for (long start = 0; start < layout.elements(); start += longest) {
                int n = (int) Math.min(longest, layout.elements() - start);
                for (int i = 0; i < n; i++) {
                    values[i] = layout.raw(start + i);
                }
                put(destination, start, values, n, add, weight);
            }
            return;
        }
        BucketKernel kernel = kernelFor(spec);
        long raw = 0;
        for (long b = 0; b < layout.buckets(); b++) {
            long start = plan.start(b);
            int n = plan.length(b);
            switch (layout.kind(b)) {
                case WireFormat.KIND_QUANTIZED -> {
                    layout.codes(b, codes);
                    kernel.decode(layout.points(b), codes, values, n, start, layout.step());
                }
                case WireFormat.KIND_CONSTANT -> java.util.Arrays.fill(values, 0, n, layout.constant(b));
                default -> {
                    for (int i = 0; i < n; i++) {
                        values[i] = layout.raw(raw + i);
                    }
                    raw += n;
                }
            }
            put(destination, start, values, n, add, weight);
        }
    }

    /** Writes {@code values[0..n)} at flat index {@code start}, or adds weight times them (float32, unfused). */
    private static void put(Segments destination, long start, float[] values, int n, boolean add, float weight) {
        if (add) {
            float[] sum = new float[n];
            destination.read(start, sum, n);
            for (int i = 0; i < n; i++) {
                float product = weight * values[i];
                sum[i] = sum[i] + product;
            }
            destination.write(start, sum, n);
        } else {
            destination.write(start, values, n);
        }
    }

    /** The kernel of {@code spec}'s quantizer (package-private for tests of single buckets). */
    static BucketKernel kernelFor(QuantizerSpec spec) {
        return switch (spec.type()) {
            case NONE -> new BucketKernel() {
                @Override
                public Encoding encode(float[] x, int n, long globalStart, long ordinal, long step, int[] codes) {
                    return Encoding.UNCHANGED;
                }

                @Override
                public void decode(io.gradquant.codec.BucketPoints points, int[] codes, float[] x, int n,
                        long globalStart, long step) {
                    throw new IllegalStateException("none leaves every bucket unchanged: it has no codes");
                }
            };
            case STANDARD -> new StandardKernel(spec.seed(), spec.levels(), Philox.PURPOSE_ROUND);
            case SMART -> new SmartKernel(spec);
            case HADAMARD -> new HadamardKernel(spec.seed(), spec.levels());
            case EXPONENTIAL -> new ExponentialKernel(spec.seed(), spec.levels(), spec.exponentialNorm());
        };
    }
}
