package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gradquant.BucketLayout;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import org.junit.jupiter.api.Test;

class ChunkPlanTest {
    private static QuantizerSpec spec(int bucket, BucketLayout layout) {
        return QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(bucket).layout(layout).build();
    }

    @Test
    void spanningCutsAtMultiplesOfTheBucketAndCoversEverything() {
        ChunkPlan plan = new ChunkPlan(new long[] {1000, 24, 2000}, 3, spec(100, BucketLayout.SPANNING));
        // total 3024: targets 1008 and 2016 round down to 1000 and 2000
        assertEquals(1000, plan.length(0));
        assertEquals(1000, plan.length(1));
        assertEquals(1024, plan.length(2));
        assertArrayEquals(new long[] {24, 976}, plan.pieceLengths(1));
        assertArrayEquals(new long[] {1024}, plan.pieceLengths(2));
    }

    @Test
    void perSegmentCutsAtBucketsFromTheSegmentStart() {
        ChunkPlan plan = new ChunkPlan(new long[] {150, 250}, 2, spec(100, BucketLayout.PER_SEGMENT));
        // target 200 lies in segment 1 (from 150): 50 values in, rounded down to its start
        assertEquals(150, plan.length(0));
        assertEquals(250, plan.length(1));
    }

    @Test
    void moreRanksThanBucketsLeavesEmptyChunks() {
        ChunkPlan plan = new ChunkPlan(new long[] {1024}, 3, spec(512, BucketLayout.SPANNING));
        assertEquals(0, plan.length(0));
        assertEquals(512, plan.length(1));
        assertEquals(512, plan.length(2));
        assertEquals(0, plan.chunk(Segments.of(Segments.directCopy(new float[1024])), 0).count());
    }

    @Test
    void chunksAreViewsOfTheGradient() {
        float[] values = new float[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        Segments x = Segments.of(Segments.directCopy(values));
        ChunkPlan plan = new ChunkPlan(new long[] {300}, 2, spec(100, BucketLayout.SPANNING));
        Segments second = plan.chunk(x, 1);
        assertEquals(100f, second.segment(0).get(0));
        second.segment(0).put(0, -1f);
        assertEquals(-1f, x.segment(0).get(100));
    }
}
