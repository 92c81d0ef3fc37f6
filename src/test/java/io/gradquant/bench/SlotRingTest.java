package io.gradquant.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class SlotRingTest {
    @Test
    void theRingSpansTheWorkingSetWithinItsBounds() {
        assertEquals(3, SlotRing.slotsFor(16_777_216)); // 3 x 128 MiB: the minimum count already spans it
        int resnet = SlotRing.slotsFor(272_474);
        assertTrue((long) resnet * 8 * 272_474 >= SlotRing.WORKING_SET_BYTES, "slots " + resnet);
        assertTrue((long) (resnet - 1) * 8 * 272_474 < SlotRing.WORKING_SET_BYTES, "slots " + resnet);
        assertEquals(SlotRing.MAX_SLOTS, SlotRing.slotsFor(1));
    }

    @Test
    void slotsHoldDifferentGradientLikeData() {
        FloatBuffer[] slots = SlotRing.pristine(3, 10_000, 5);
        FloatBuffer again = SlotRing.pristine(1, 10_000, 5)[0];
        assertEquals(again, slots[0], "same seed, same values");
        assertNotEquals(slots[0], slots[1]);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int zeros = 0;
        for (int i = 0; i < 10_000; i++) {
            float v = Math.abs(slots[1].get(i));
            zeros += v == 0 ? 1 : 0;
            if (v > 0) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertTrue(zeros < 10, "almost no exact zeros: " + zeros);
        assertTrue(max / min > 1e3, "values span several decades: " + min + " to " + max);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Median.of(new double[] {3, 1, 2}));
        assertEquals(2.5, Median.of(new double[] {4, 1, 3, 2}));
    }
}
