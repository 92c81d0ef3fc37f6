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

    private static List<List<Long>> batches(EpochShuffleSampler sampler, ArrayDataset data) {
        List<List<Long>> out = new ArrayList<>();
        sampler.sample(data).forEachRemaining(out::add);
        return out;
    }
}
