package io.gradquant.bench;

import java.util.List;

/**
 * The result of a benchmark run; with snake_case names these are the JSON fields of
 * {@code gradquant bench --json}.
 *
 * @param machine    CPU model, cores and (cpu backend) the vector loops in use
 * @param backend    the backend measured
 * @param elements   values per input
 * @param bucketSize bucket size
 * @param threads    threads the backend used
 * @param copyGbps   the memory baseline: median GB/s of the backend's copy, 8 bytes per element
 * @param results    one entry per quantizer, in the order asked for
 * @param smallInput the same quantizers on a small input; null if not run
 */
public record BenchReport(String machine, String backend, long elements, int bucketSize, int threads, double copyGbps,
        List<Result> results, SmallInput smallInput) {
    /**
     * One quantizer's figures.
     *
     * @param quantizer         the quantizer's name
     * @param gbps              8 bytes per element (one read, one write) over the median seconds, in 10^9 bytes/s
     * @param elementsPerSecond elements over the median seconds
     * @param copyRatio         gbps / copy_gbps
     * @param vsDjlOps          the DJL composition's median seconds over ours; null where there is none
     * @param encodeGbps        encode (docs/wire-format.md, no write-back): 4 bytes (float32 in) per element
     *                          over the median seconds, in 10^9 bytes/s
     * @param encodeCopyRatio   the copy's median seconds over encode's (the same elements)
     * @param decodeGbps        decode: 4 bytes (float32 out) per element over the median seconds
     * @param decodeCopyRatio   the copy's median seconds over decode's
     */
    public record Result(String quantizer, double gbps, double elementsPerSecond, double copyRatio, Double vsDjlOps,
            double encodeGbps, double encodeCopyRatio, double decodeGbps, double decodeCopyRatio) {
    }

    /**
     * The quantizers on a small input, where fixed per-call costs show.
     *
     * @param elements values per input
     * @param results  one entry per quantizer, in the order asked for
     */
    public record SmallInput(long elements, List<SmallResult> results) {
    }

    /**
     * One quantizer on the small input.
     *
     * @param quantizer          the quantizer's name
     * @param seconds            median seconds of one call
     * @param perValueVsLarge    seconds per value here over seconds per value on the large input (1 = no
     *                           fixed costs; issue 12 asks for at most 2 on the cpu backend)
     */
    public record SmallResult(String quantizer, double seconds, double perValueVsLarge) {
    }
}
