// Statistics: gq_none counts what the none quantizer reports (squared norm of the finite buckets,
// non-finite buckets) without writing; gq_reduce_stats adds the per-block partials of any
// quantization launch into the call's totals, in a fixed order.
#include "gq_device.cuh"

using namespace gq;

extern "C" __global__ void GQ_BOUNDS gq_none(const Call* call) {
    const Call& c = *call;
    double norm = 0.0, non_finite = 0.0;
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        double squares = 0.0;
        bool finite = true;
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            float v = *element(c, r, i);
            finite &= is_finite(v);
            double a = fabs((double)v);
            squares += a * a;
        }
        if (__syncthreads_or(!finite)) {
            if (threadIdx.x == 0) non_finite += 1.0;
        } else {
            norm += squares;
        }
    }
    write_partials(c, 0.0, norm, non_finite, 0.0);
}

// One block: Call::partial_count rows of PARTIAL_WORDS doubles into Call::stats.
extern "C" __global__ void GQ_BOUNDS gq_reduce_stats(const Call* call) {
    const Call& c = *call;
    const double* partials = reinterpret_cast<const double*>(c.partials);
    double sum[PARTIAL_WORDS] = {0.0, 0.0, 0.0, 0.0};
    for (int b = threadIdx.x; b < c.partial_count; b += blockDim.x) {
        for (int w = 0; w < PARTIAL_WORDS; w++) sum[w] += partials[(int64_t)b * PARTIAL_WORDS + w];
    }
    for (int w = 0; w < PARTIAL_WORDS; w++) sum[w] = block_all_reduce(sum[w], Sum());
    if (threadIdx.x == 0) {
        double* stats = reinterpret_cast<double*>(c.stats);
        for (int w = 0; w < PARTIAL_WORDS; w++) stats[w] = sum[w];
    }
}
