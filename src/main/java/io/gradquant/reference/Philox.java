package io.gradquant.reference;

/**
 * Counter-based Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"),
 * and the project's fixed mapping from (seed, step, purpose, element index) to random bits.
 * The same mapping is implemented in {@code cuda/gq_philox.cuh} for the native and CUDA kernels;
 * both must stay bit-identical.
 *
 * <p>Key = (low 32 bits of seed, high 32 bits of seed). Counter = (low, high 32 bits of index/4,
 * low 32 bits of step, high 32 bits of step XOR purpose&lt;&lt;24). Element {@code index} takes
 * word {@code index % 4} of the block.
 */
public final class Philox {
    /** Random bits for stochastic rounding, indexed by global element index. */
    public static final int PURPOSE_ROUND = 0;
    /**
     * Random signs of the Hadamard rotation: element i takes bit (i mod 32) of the word at index
     * i / 32 (see {@link #negative}), so one word serves 32 elements.
     */
    public static final int PURPOSE_SIGNS = 1;
    /** Sampling keys of the smart quantizer, indexed by global element index. */
    public static final int PURPOSE_SAMPLE = 2;
    /** Rounding in the Hadamard-rotated domain, indexed by bucket ordinal * padded size + position. */
    public static final int PURPOSE_ROTATED = 3;

    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {
    }

    /** The ten-round Philox4x32 bijection of {@code counter} under {@code key}; returns a new array. */
    public static int[] philox4x32_10(int[] counter, int[] key) {
        int c0 = counter[0];
        int c1 = counter[1];
        int c2 = counter[2];
        int c3 = counter[3];
        int k0 = key[0];
        int k1 = key[1];
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** 32 random bits for element {@code index}, as an unsigned value. */
    public static long bits(long seed, long step, int purpose, long index) {
        long block = index >>> 2;
        int[] counter = {(int) block, (int) (block >>> 32), (int) step, (int) (step >>> 32) ^ (purpose << 24)};
        int[] key = {(int) seed, (int) (seed >>> 32)};
        return philox4x32_10(counter, key)[(int) (index & 3)] & 0xFFFFFFFFL;
    }

    /** Whether the Hadamard rotation flips the sign of element {@code index}. */
    public static boolean negative(long seed, long step, long index) {
        return (bits(seed, step, PURPOSE_SIGNS, index >>> 5) >>> (index & 31) & 1) == 1;
    }

    /** A uniform value in [0, 1), a multiple of 2^-24, from the top 24 of the 32 bits. */
    public static double uniform(long seed, long step, int purpose, long index) {
        return (bits(seed, step, purpose, index) >>> 8) * 0x1p-24;
    }
}
