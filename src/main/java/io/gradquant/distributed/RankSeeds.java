package io.gradquant.distributed;

/**
 * The seed of each message a rank encodes: the run's seed mixed with the rank, the phase of the
 * collective and the chunk, so that every rank (and every chunk of a rank) rounds with its own
 * random stream, and averaging N ranks divides the rounding variance by N. The step travels
 * separately (it keys the stream together with the seed). The mix is SplitMix64's finaliser, applied
 * once per input.
 */
final class RankSeeds {
    /** Phase of a rank's own gradient (or its chunks, for reduce-scatter). */
    static final int GRADIENT = 0;
    /** Phase of the average a reduce-scatter rank compresses for the allgather. */
    static final int REDUCED = 1;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private RankSeeds() {
    }

    /** The seed of rank {@code rank}'s message in {@code phase} for chunk {@code chunk} (0 when not chunked). */
    static long of(long seed, int rank, int phase, int chunk) {
        long z = mix(seed + GOLDEN * (1 + (long) rank));
        z = mix(z + GOLDEN * (1 + (long) phase));
        return mix(z + GOLDEN * (1 + (long) chunk));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
