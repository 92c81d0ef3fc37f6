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
 *
 * <p>Data-parallel: with W workers, every worker walks the same permutation in global batches of
 * W x batchSize examples and takes its slice of each, examples [floor(r·m/W), floor((r+1)·m/W))
 * of a global batch of m for worker r: a full global batch gives every worker batchSize examples,
 * a partial last one is shared out with slices differing by at most one. A last global batch with
 * fewer examples than workers is dropped (some worker would have nothing to train on). One worker
 * sees exactly the batches of a single process.
 */
final class EpochShuffleSampler implements Sampler {
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int maxBatches;
    private final int rank;
    private final int workers;
    private volatile int epoch;

    /**
     * A single process's sampler.
     *
     * @param maxBatches at most this many batches per epoch, 0 for all
     */
    EpochShuffleSampler(int batchSize, boolean shuffle, long seed, int maxBatches) {
        this(batchSize, shuffle, seed, maxBatches, 0, 1);
    }

    /**
     * Worker {@code rank} of {@code workers}'s sampler.
     *
     * @param batchSize  examples per worker in a full global batch
     * @param maxBatches at most this many global batches per epoch, 0 for all
     */
    EpochShuffleSampler(int batchSize, boolean shuffle, long seed, int maxBatches, int rank, int workers) {
        if (workers < 1 || rank < 0 || rank >= workers) {
            throw new IllegalArgumentException("worker " + rank + " of " + workers + " does not exist: the rank"
                    + " must be in [0, workers) and workers >= 1");
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.maxBatches = maxBatches;
        this.rank = rank;
        this.workers = workers;
    }

    /** The epoch whose permutation the next {@link #sample} call uses. */
    void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Batches (global batches, the same on every worker) one epoch gives for a data set of {@code size} examples. */
    int batchesPerEpoch(long size) {
        long global = (long) batchSize * workers;
        long all = size / global;
        if (size % global >= workers) {
            all++; // the partial last global batch, if every worker gets an example of it
        }
        int count = Math.toIntExact(all);
        return maxBatches == 0 ? count : Math.min(count, maxBatches);
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
        long global = (long) batchSize * workers;
        for (int b = 0; b < count; b++) {
            long start = b * global;
            long m = Math.min(size, start + global) - start;
            long from = start + rank * m / workers;
            long to = start + (rank + 1) * m / workers;
            List<Long> batch = new ArrayList<>(batchSize);
            for (long i = from; i < to; i++) {
                batch.add(order[(int) i]);
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
