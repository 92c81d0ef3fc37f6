package io.gradquant;

/**
 * How buckets are laid over several segments (tensors). {@link #id()} identifies the layout in
 * messages (docs/wire-format.md), over JNI and in CUDA; ids never change.
 */
public enum BucketLayout {
    /**
     * Buckets run over the concatenation of all segments in order and may span segment boundaries:
     * the layout of the reference harness, which concatenates all parameter gradients. Id 0.
     */
    SPANNING(0),
    /** Buckets restart at the start of every segment; the last bucket of each segment may be partial. Id 1. */
    PER_SEGMENT(1);

    private final int id;

    BucketLayout(int id) {
        this.id = id;
    }

    /** The layout's id: spanning 0, per-segment 1. */
    public int id() {
        return id;
    }

    /** The layout with id {@code id}, or null if there is none. */
    public static BucketLayout fromId(int id) {
        for (BucketLayout l : values()) {
            if (l.id == id) {
                return l;
            }
        }
        return null;
    }
}
