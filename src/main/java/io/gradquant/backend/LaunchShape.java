package io.gradquant.backend;

/**
 * How one quantization call launches its kernel: block and grid size, the buckets kept in shared
 * memory, and the per-block global scratch. Chosen by a kernel family's launcher.
 *
 * @param kernel           the quantization kernel
 * @param threads          threads per block: a multiple of 32, at most 256
 * @param grid             blocks; each loops over buckets blockIdx, blockIdx + grid, ...
 * @param onChip           largest bucket (hadamard: padded bucket) held in shared memory
 * @param sharedBytes      dynamic shared memory per block
 * @param scratchPerBlock  bytes of global scratch per block (0 if none)
 * @param maxSample        smart: the largest sample, min and max included (0 otherwise)
 */
record LaunchShape(CudaKernel kernel, int threads, int grid, int onChip, int sharedBytes, long scratchPerBlock,
        int maxSample) {
    /** Threads per block for buckets of {@code work} elements: about 4 elements per thread, 32 to 256. */
    static int threadsFor(long work) {
        long wanted = Math.max(1, (work + 3) / 4);
        int t = 32;
        while (t < 256 && t < wanted) {
            t <<= 1;
        }
        return t;
    }

    /**
     * Blocks for {@code buckets} buckets: one wave that fills the device (2048 threads and at most
     * 16 blocks per multiprocessor, what every architecture since sm_75 holds), no more than there
     * are buckets, and, with scratch, no more than fit in {@code SCRATCH_BUDGET} bytes.
     */
    static int gridFor(long buckets, int threads, int multiprocessors, long scratchPerBlock) {
        long fill = (long) multiprocessors * Math.min(16, Math.max(1, 2048 / threads));
        long byScratch = scratchPerBlock == 0 ? Long.MAX_VALUE : Math.max(1, SCRATCH_BUDGET / scratchPerBlock);
        return (int) Math.max(1, Math.min(buckets, Math.min(fill, byScratch)));
    }

    /** Upper bound on the global scratch of one call. */
    static final long SCRATCH_BUDGET = 256L << 20;

    /** Smallest power of two >= n (n >= 1). */
    static long ceilPow2(long n) {
        long p = 1;
        while (p < n) {
            p <<= 1;
        }
        return p;
    }

    /** Largest power of two <= n (n >= 1). */
    static int floorPow2(int n) {
        return Integer.highestOneBit(n);
    }
}
