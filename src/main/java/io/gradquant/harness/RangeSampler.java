package io.gradquant.harness;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Examples {@code [from, to)} in order, in batches of {@code batchSize} (the last one partial):
 * one worker's share of the test set.
 */
final class RangeSampler implements Sampler {
    private final long from;
    private final long to;
    private final int batchSize;

    RangeSampler(long from, long to, int batchSize) {
        this.from = from;
        this.to = to;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        long end = Math.min(to, dataset.size());
        List<List<Long>> batches = new ArrayList<>();
        for (long start = from; start < end; start += batchSize) {
            List<Long> batch = new ArrayList<>();
            for (long i = start; i < Math.min(end, start + batchSize); i++) {
                batch.add(i);
            }
            batches.add(batch);
        }
        return batches.iterator();
    }

    @Override
    public int getBatchSize() {
        return batchSize;
    }
}
