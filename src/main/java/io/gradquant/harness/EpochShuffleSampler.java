package io.gradquant.harness;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mini-batches of a seeded permutation that depends only on (seed, epoch), so every run with the
 * same seed sees the same data order whatever ran before it in the process (DJL's RandomSampler
 * draws from a process-wide generator). The last batch may be partial, as PyTorch's DataLoader
 * gives it; {@code maxBatches} cuts an epoch short for quick runs.
 */
final class EpochShuffleSampler implements Sampler {
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int maxBatches;
    private volatile int epoch;

    /**
     * @param maxBatches at most this many batches per epoch, 0 for all
     */
    EpochShuffleSampler(int batchSize, boolean shuffle, long seed, int maxBatches) {
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.maxBatches = maxBatches;
    }

    /** The epoch whose permutation the next {@link #sample} call uses. */
    void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Batches one epoch gives for a data set of {@code size} examples. */
    int batchesPerEpoch(long size) {
        int all = Math.toIntExact((size + batchSize - 1) / batchSize);
        return maxBatches == 0 ? all : Math.min(all, maxBatches);
    }

    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        int size = Math.toIntExact(dataset.size());
        long[] order = new long[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = size - 1; i > 0; i--) { // Fisher-Yates
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        List<List<Long>> batches = new ArrayList<>();
        int count = batchesPerEpoch(size);
        for (int b = 0; b < count; b++) {
            List<Long> batch = new ArrayList<>(batchSize);
            for (int i = b * batchSize; i < Math.min(size, (b + 1) * batchSize); i++) {
                batch.add(order[i]);
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
