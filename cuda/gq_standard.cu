// standard: per-bucket min and max, then unbiased stochastic rounding to levels evenly spaced
// points (the twin of StandardKernel.java and Worker::standard in native/gq_cpu.cpp); with a
// Codec, the message's records and codes instead (gq_emit.cuh). A bucket of at most Call::on_chip
// values is read from global memory once: in place, each thread keeps the values it reads in
// shared memory and rounds those same values, so no barrier guards them.
#include "gq_device.cuh"
#include "gq_emit.cuh"
#include "gq_round.cuh"

using namespace gq;

extern "C" __global__ void GQ_BOUNDS gq_standard(const Call* call) {
    const Call& c = *call;
    float* values = dynamic_shared();
    double variance = 0.0, norm = 0.0, non_finite = 0.0;
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        bool on_chip = r.n <= c.on_chip;
        MinMax range = {INFINITY, -INFINITY};
        double squares = 0.0;
        bool finite = true;
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            float v = *element(c, r, i);
            if (on_chip) values[i] = v;
            finite &= is_finite(v);
            include(&range, v);
            double a = fabs((double)v);
            squares += a * a;
        }
        if (__syncthreads_or(!finite)) {  // left unchanged and counted
            if (threadIdx.x == 0) non_finite += 1.0;
            emit_unchanged(c, r);
            continue;
        }
        range = block_all_reduce(range, MinMaxOp());
        norm += squares;
        StandardParams p;
        if (!standard_params(range.lo, range.hi, c.spec.levels, &p)) {  // constant: unchanged
            emit_unchanged(c, r);
            continue;
        }
        emit_grid(c, r, p);
        code_bucket(
            c, r, r.n,
            [&](int64_t i) {
                float v = on_chip ? values[i] : *element(c, r, (int)i);
                return standard_index(p, v, uniform_at(c, PURPOSE_ROUND, r.start + i), &variance);
            },
            [&](int64_t i, int k) { *element(c, r, (int)i) = standard_value(p, k); });
    }
    write_partials(c, variance, norm, non_finite, 0.0);
}
