package io.gradquant;

/** How buckets are laid over several segments (tensors). */
public enum BucketLayout {
    /**
     * Buckets run over the concatenation of all segments in order and may span segment boundaries:
     * the layout of the reference harness, which concatenates all parameter gradients.
     */
    SPANNING,
    /** Buckets restart at the start of every segment; the last bucket of each segment may be partial. */
    PER_SEGMENT
}
