package io.gradquant.reference;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import io.gradquant.backend.BucketPlan;

/**
 * The reference backend: plain Java written for obviousness, the oracle of the tests and the
 * portable fallback. Works on heap and direct buffers. Each bucket is gathered into an array,
 * checked for NaN/Inf, quantized and written back.
 */
public final class JavaBackend implements Backend {
    @Override
    public String name() {
        return "java";
    }

    @Override
    public QuantStats quantize(QuantizerSpec spec, long step, Segments segments) {
        BucketKernel kernel = kernelFor(spec);
        BucketPlan plan = BucketPlan.of(spec, segments);
        float[] bucket = new float[(int) Math.min(spec.bucketSize(), Math.max(1, segments.totalLength()))];
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
            double bucketVariance = finite ? kernel.quantize(bucket, n, start, b, step) : Double.NaN;
            if (Double.isNaN(bucketVariance)) {
                nonFinite++; // left unchanged: nothing is written back
                continue;
            }
            segments.write(start, bucket, n);
            variance += bucketVariance;
            normSquared += bucketNorm;
        }
        return new QuantStats(variance, normSquared, plan.buckets(), nonFinite);
    }

    /** The kernel of {@code spec}'s quantizer (package-private for tests of single buckets). */
    static BucketKernel kernelFor(QuantizerSpec spec) {
        return switch (spec.type()) {
            case NONE -> (x, n, globalStart, ordinal, step) -> 0.0;
            case STANDARD -> new StandardKernel(spec.seed(), spec.levels(), Philox.PURPOSE_ROUND);
            case SMART -> new SmartKernel(spec);
            case HADAMARD -> new HadamardKernel(spec.seed(), spec.levels());
            case EXPONENTIAL -> new ExponentialKernel(spec.seed(), spec.levels(), spec.exponentialNorm());
        };
    }
}
