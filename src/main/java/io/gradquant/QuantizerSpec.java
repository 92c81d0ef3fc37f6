package io.gradquant;

import java.util.Objects;

/**
 * What to quantize with: type, bucket size, number of levels, seed and per-type options.
 * Immutable; every field is validated on construction, with a message naming the field, the
 * value and the allowed range, so a bad spec is rejected before any buffer is touched.
 */
public final class QuantizerSpec {
    /** Smallest allowed {@code levels}. */
    public static final int MIN_LEVELS = 2;
    /** Largest allowed {@code levels}. */
    public static final int MAX_LEVELS = 256;
    /** Default bucket size, as in the reference harness. */
    public static final int DEFAULT_BUCKET_SIZE = 512;
    /** Default number of levels, as in the reference harness. */
    public static final int DEFAULT_LEVELS = 16;
    /** Default fraction of a bucket sampled as candidate points by {@code smart}. */
    public static final double DEFAULT_SMART_FRACTION = 0.01;
    /** {@code smart} samples at least this many candidates (or the whole bucket if smaller). */
    public static final int SMART_MIN_SAMPLE = 512;

    private final QuantizerType type;
    private final int bucketSize;
    private final int levels;
    private final long seed;
    private final double smartFraction;
    private final ExponentialNorm exponentialNorm;
    private final BucketLayout layout;

    private QuantizerSpec(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.bucketSize = b.bucketSize;
        this.levels = b.levels;
        this.seed = b.seed;
        this.smartFraction = b.smartFraction;
        this.exponentialNorm = Objects.requireNonNull(b.exponentialNorm, "exponentialNorm");
        this.layout = Objects.requireNonNull(b.layout, "layout");
        if (bucketSize < 1) {
            throw new IllegalArgumentException("bucket size " + bucketSize + " is not allowed: it must be >= 1");
        }
        if (levels < MIN_LEVELS || levels > MAX_LEVELS) {
            throw new IllegalArgumentException("levels " + levels + " is not allowed: it must be in ["
                    + MIN_LEVELS + ", " + MAX_LEVELS + "]");
        }
        if (type == QuantizerType.EXPONENTIAL && levels < 4) {
            throw new IllegalArgumentException("levels " + levels + " is not allowed for exponential: it must be in [4, "
                    + MAX_LEVELS + "] (one bit of sign, then zero and at least one power of two)");
        }
        if (!(smartFraction > 0.0 && smartFraction <= 1.0)) {
            throw new IllegalArgumentException("smart fraction " + smartFraction + " is not allowed: it must be in (0, 1]");
        }
    }

    /** A builder with the defaults: bucket 512, levels 16, seed 1, smart fraction 0.01, L2 norm, spanning buckets. */
    public static Builder builder(QuantizerType type) {
        return new Builder(type);
    }

    /** A builder preset to this spec's values. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.bucketSize = bucketSize;
        b.levels = levels;
        b.seed = seed;
        b.smartFraction = smartFraction;
        b.exponentialNorm = exponentialNorm;
        b.layout = layout;
        return b;
    }

    /** The quantizer. */
    public QuantizerType type() { return type; }

    /** Values per bucket, at least 1; each bucket gets its own points. */
    public int bucketSize() { return bucketSize; }

    /** Points per bucket, 2 to 256. */
    public int levels() { return levels; }

    /** Seed of the random stream (with the step: every call rounds with its own stream). */
    public long seed() { return seed; }

    /** {@code smart}: the fraction of a bucket sampled for its level search, in (0, 1]. */
    public double smartFraction() { return smartFraction; }

    /** {@code exponential}: the norm its powers of two scale. */
    public ExponentialNorm exponentialNorm() { return exponentialNorm; }

    /** Whether buckets span segment boundaries or restart at every segment. */
    public BucketLayout layout() { return layout; }

    /**
     * Number of candidates {@code smart} samples from a bucket of {@code n} values:
     * {@code min(n, max(ceil(fraction * n), 512))}. The twin of {@code smart_sample_size} in
     * {@code cuda/gq_smart_sample.cuh}, which the cpu and cuda backends share.
     */
    public int smartSampleSize(int n) {
        long wanted = Math.max((long) Math.ceil(smartFraction * n), SMART_MIN_SAMPLE);
        return (int) Math.min(n, wanted);
    }

    @Override
    public String toString() {
        return type.cliName() + "(bucket=" + bucketSize + ", levels=" + levels + ", seed=" + seed
                + (type == QuantizerType.SMART ? ", fraction=" + smartFraction : "")
                + (type == QuantizerType.EXPONENTIAL ? ", norm=" + exponentialNorm : "")
                + ", layout=" + layout + ")";
    }

    /** Builder for {@link QuantizerSpec}; {@link #build()} validates. */
    public static final class Builder {
        private final QuantizerType type;
        private int bucketSize = DEFAULT_BUCKET_SIZE;
        private int levels = DEFAULT_LEVELS;
        private long seed = 1;
        private double smartFraction = DEFAULT_SMART_FRACTION;
        private ExponentialNorm exponentialNorm = ExponentialNorm.L2;
        private BucketLayout layout = BucketLayout.SPANNING;

        private Builder(QuantizerType type) {
            this.type = type;
        }

        /** Values per bucket (default 512). */
        public Builder bucketSize(int v) { bucketSize = v; return this; }

        /** Points per bucket (default 16). */
        public Builder levels(int v) { levels = v; return this; }

        /** Seed of the random stream (default 1). */
        public Builder seed(long v) { seed = v; return this; }

        /** {@code smart}'s sample fraction (default 0.01; at least 512 values are sampled). */
        public Builder smartFraction(double v) { smartFraction = v; return this; }

        /** {@code exponential}'s norm (default L2). */
        public Builder exponentialNorm(ExponentialNorm v) { exponentialNorm = v; return this; }

        /** Bucket layout (default spanning). */
        public Builder layout(BucketLayout v) { layout = v; return this; }

        /** @throws IllegalArgumentException naming the first invalid field and its allowed range */
        public QuantizerSpec build() {
            return new QuantizerSpec(this);
        }
    }
}
