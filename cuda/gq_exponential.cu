// exponential: per-bucket norm, then |x|/norm rounded unbiasedly between neighbouring powers of two
// (the twin of ExponentialKernel.java and Worker::exponential in native/gq_cpu.cpp); with a Codec,
// the message's records and codes instead (gq_emit.cuh).
//
// The L2 norm decides which points exist, so it must equal the reference's to the last bit: it is
// summed in the canonical order of lane_sum_squares (gq_round.cuh), eight lanes each adding every
// eighth element in order, by eight threads, and combined as that function combines them. The max
// norm and the statistics use ordinary parallel reductions.
#include "gq_device.cuh"
#include "gq_emit.cuh"
#include "gq_round.cuh"

using namespace gq;

extern "C" __global__ void GQ_BOUNDS gq_exponential(const Call* call) {
    const Call& c = *call;
    float* values = dynamic_shared();
    __shared__ double lanes[8];
    double variance = 0.0, norm = 0.0, non_finite = 0.0;
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        bool on_chip = r.n <= c.on_chip;
        double squares = 0.0, max_abs = 0.0;
        bool finite = true;
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            float v = *element(c, r, i);
            if (on_chip) values[i] = v;
            finite &= is_finite(v);
            double a = fabs((double)v);
            squares += a * a;
            if (a > max_abs) max_abs = a;
        }
        if (__syncthreads_or(!finite)) {  // left unchanged and counted
            if (threadIdx.x == 0) non_finite += 1.0;
            emit_unchanged(c, r);
            continue;
        }
        max_abs = block_all_reduce(max_abs, Max());
        double sum_squares = 0.0;
        if (c.spec.norm == NORM_L2) {
            // the barriers above made every value visible to the eight lane threads; the next
            // write to lanes comes after further barriers that every reader has passed
            if (threadIdx.x < 8) {
                double lane = 0.0;
                for (int i = threadIdx.x; i < r.n; i += 8) {
                    double v = on_chip ? values[i] : *element(c, r, i);
                    lane += v * v;
                }
                lanes[threadIdx.x] = lane;
            }
            __syncthreads();
            sum_squares = lane_sum_squares_combine(lanes);
        }
        ExponentialParams p;
        int verdict = exponential_params(sum_squares, max_abs, c.spec.norm, c.spec.levels, &p);
        if (verdict < 0) {  // the largest point overflows float32: unchanged and counted
            if (threadIdx.x == 0) non_finite += 1.0;
            emit_unchanged(c, r);
            continue;
        }
        norm += squares;
        if (verdict == 0) {  // all zeros: unchanged
            emit_unchanged(c, r);
            continue;
        }
        emit_powers(c, r, p);
        double relative = 0.0;
        code_bucket(
            c, r, r.n,
            [&](int64_t i) {
                float v = on_chip ? values[i] : *element(c, r, (int)i);
                return exponential_index(p, v, uniform_at(c, PURPOSE_ROUND, r.start + i), &relative);
            },
            [&](int64_t i, int k) { *element(c, r, (int)i) = exponential_value(p, k); });
        variance += relative * p.norm * p.norm;
    }
    write_partials(c, variance, norm, non_finite, 0.0);
}
