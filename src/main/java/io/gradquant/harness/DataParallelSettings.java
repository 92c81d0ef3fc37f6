package io.gradquant.harness;

/**
 * How a data-parallel train or compare ran, as written to summary.json and compare.json.
 *
 * @param workers          the number of workers (MPI ranks)
 * @param collective       the --collective option: auto (allreduce for quantizer none, allgather
 *                         otherwise), allgather, reduce-scatter or allreduce
 * @param errorFeedback    whether compressing quantizers carry a per-rank residual from step to step
 * @param minQuantizedSize tensors with fewer values travel as float32
 */
public record DataParallelSettings(int workers, String collective, boolean errorFeedback, int minQuantizedSize) {
}
