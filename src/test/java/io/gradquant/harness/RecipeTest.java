package io.gradquant.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.training.dataset.ArrayDataset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipeTest {
    @Test
    void referenceDefaultsAndStepSchedule() {
        Recipe r = Recipe.REFERENCE;
        assertEquals(200, r.epochs());
        assertEquals(64, r.batchSize());
        assertEquals(0.9f, r.momentum());
        assertEquals(1e-4f, r.weightDecay());
        assertEquals(1, r.seed());
        assertEquals(0.1f, r.learningRate(0));
        assertEquals(0.1f, r.learningRate(80));
        assertEquals(0.1f * 0.1f, r.learningRate(81));
        assertEquals(0.1f * 0.1f, r.learningRate(121));
        assertEquals(0.1f * 0.1f * 0.1f, r.learningRate(122));
        assertEquals(0.1f * 0.1f * 0.1f * 0.1f, r.learningRate(199));
    }

    @Test
    void milestonesMustIncrease() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Recipe(3, 8, 0.1f, 0, 0, List.of(2, 2), 0, 1));
        assertEquals("learning-rate milestones [2, 2] are not allowed: they must be epochs >= 1 in increasing order",
                e.getMessage());
    }

    @Test
    void samplerOrderDependsOnlyOnSeedAndEpoch() {
        ArrayDataset data = new ArrayDataset.Builder().setData(ai.djl.ndarray.NDManager.newBaseManager()
                .zeros(new ai.djl.ndarray.types.Shape(10, 1))).setSampling(3, false).build();
        EpochShuffleSampler a = new EpochShuffleSampler(3, true, 5, 0);
        EpochShuffleSampler b = new EpochShuffleSampler(3, true, 5, 0);
        a.setEpoch(2);
        b.setEpoch(1);
        b.sample(data); // what ran before does not matter
        b.setEpoch(2);
        List<List<Long>> first = batches(a, data);
        assertEquals(first, batches(b, data));
        assertEquals(List.of(3, 3, 3, 1), first.stream().map(List::size).toList(), "last batch partial");
        Set<Long> all = new HashSet<>();
        first.forEach(all::addAll);
        assertEquals(10, all.size(), "a permutation");
        a.setEpoch(3);
        assertNotEquals(first, batches(a, data));
        assertEquals(2, batches(new EpochShuffleSampler(3, true, 5, 2), data).size(), "max batches per epoch");
    }

    @Test
    void workersSliceTheSingleProcessGlobalBatches() {
        ArrayDataset data = new ArrayDataset.Builder().setData(ai.djl.ndarray.NDManager.newBaseManager()
                .zeros(new ai.djl.ndarray.types.Shape(23, 1))).setSampling(3, false).build();
        for (int workers : new int[] {2, 3}) {
            // one process with batch workers*3 sees what the workers together see
            EpochShuffleSampler single = new EpochShuffleSampler(3 * workers, true, 5, 0);
            single.setEpoch(4);
            List<List<Long>> global = batches(single, data);
            List<List<List<Long>>> slices = new ArrayList<>();
            for (int r = 0; r < workers; r++) {
                EpochShuffleSampler s = new EpochShuffleSampler(3, true, 5, 0, r, workers);
                s.setEpoch(4);
                slices.add(batches(s, data));
                assertEquals(s.batchesPerEpoch(23), slices.get(r).size());
            }
            // 23 = 3 full global batches of 6 and a last one of 5 (two workers);
            // 2 full ones of 9 and a last one of 5 (three workers)
            int expectedBatches = workers == 2 ? 4 : 3;
            assertEquals(expectedBatches, slices.get(0).size(), workers + " workers");
            for (int b = 0; b < expectedBatches; b++) {
                List<Long> joined = new ArrayList<>();
                for (int r = 0; r < workers; r++) {
                    joined.addAll(slices.get(r).get(b));
                }
                assertEquals(global.get(b), joined, "global batch " + b + ", " + workers + " workers");
            }
        }
        EpochShuffleSampler last = new EpochShuffleSampler(3, true, 5, 0, 2, 3);
        last.setEpoch(4);
        assertEquals(List.of(3, 3, 2), batches(last, data).stream().map(List::size).toList(),
                "the partial last global batch of 5 is shared out 1, 2, 2");
        // 24 examples, 5 workers of 4: one full global batch of 20, then 4 left for 5 workers: dropped
        assertEquals(1, new EpochShuffleSampler(4, true, 5, 0, 0, 5).batchesPerEpoch(24));
        assertEquals(2, new EpochShuffleSampler(4, true, 5, 0, 0, 5).batchesPerEpoch(25));
        assertEquals(1, new EpochShuffleSampler(4, true, 5, 1, 0, 5).batchesPerEpoch(25), "max batches");
        assertThrows(IllegalArgumentException.class, () -> new EpochShuffleSampler(4, true, 5, 0, 2, 2));
    }

    private static List<List<Long>> batches(EpochShuffleSampler sampler, ArrayDataset data) {
        List<List<Long>> out = new ArrayList<>();
        sampler.sample(data).forEachRemaining(out::add);
        return out;
    }
}
