package io.gradquant.distributed;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The cut of a flat gradient (segments in order) into N chunks for reduce-scatter, on bucket
 * boundaries so that no bucket is split: with spanning buckets at multiples of the bucket size,
 * with per-segment buckets at multiples of it from a segment's start (or at a segment's start).
 * Chunk j starts at the boundary at or below j/N of the way; chunks may be empty when the gradient
 * has fewer buckets than ranks.
 */
final class ChunkPlan {
    private final long[] offsets; // segment start offsets, plus the total at the end
    private final long[] cuts;    // chunk j is [cuts[j], cuts[j + 1])

    ChunkPlan(long[] lengths, int chunks, QuantizerSpec spec) {
        offsets = new long[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            offsets[i + 1] = offsets[i] + lengths[i];
        }
        long total = offsets[lengths.length];
        cuts = new long[chunks + 1];
        long bucket = spec.bucketSize();
        for (int j = 1; j < chunks; j++) {
            long target = total / chunks * j + total % chunks * j / chunks; // floor(total * j / chunks)
            long cut;
            if (spec.layout() == BucketLayout.SPANNING) {
                cut = target / bucket * bucket;
            } else {
                int s = segmentAt(target);
                cut = offsets[s] + (target - offsets[s]) / bucket * bucket;
            }
            cuts[j] = Math.max(cuts[j - 1], cut);
        }
        cuts[chunks] = total;
    }

    /** The number of chunks. */
    int chunks() {
        return cuts.length - 1;
    }

    /** The number of values in chunk {@code j}. */
    long length(int j) {
        return cuts[j + 1] - cuts[j];
    }

    /** The lengths of the pieces of segments that chunk {@code j} holds. */
    long[] pieceLengths(int j) {
        return pieces(j).stream().mapToLong(p -> p[2]).toArray();
    }

    /** Chunk {@code j} of {@code x}: views of the pieces of its segments (writes go to {@code x}). */
    Segments chunk(Segments x, int j) {
        List<FloatBuffer> views = new ArrayList<>();
        for (long[] p : pieces(j)) {
            views.add(x.segment((int) p[0]).slice((int) p[1], (int) p[2]));
        }
        return Segments.of(views);
    }

    /** {segment, offset in it, length} of each non-empty piece of chunk j. */
    private List<long[]> pieces(int j) {
        List<long[]> out = new ArrayList<>();
        long from = cuts[j];
        long to = cuts[j + 1];
        for (int s = 0; s < offsets.length - 1; s++) {
            long a = Math.max(from, offsets[s]);
            long b = Math.min(to, offsets[s + 1]);
            if (a < b) {
                out.add(new long[] {s, a - offsets[s], b - a});
            }
        }
        return out;
    }

    /** The segment holding flat index {@code i} (the last non-empty one for the end). */
    private int segmentAt(long i) {
        for (int s = 0; s < offsets.length - 1; s++) {
            if (i < offsets[s + 1]) {
                return s;
            }
        }
        return Math.max(0, offsets.length - 2);
    }
}
