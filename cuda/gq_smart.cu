// smart: sample candidates, choose variance-optimal points by the shared level search
// (gq_levels.cuh, run by one thread per bucket on the device), round unbiasedly between
// neighbouring points (the twin of SmartKernel.java and Worker::smart in native/gq_cpu.cpp).
//
// Per-block global scratch (Call::scratch) holds the sample and the level search's arrays; its
// layout is smart_scratch() below, and SmartLauncher.java computes the same size.
#include "gq_levels.cuh"
#include "gq_round.cuh"
#include "gq_sample.cuh"

using namespace gq;

namespace {

struct SmartScratch {
    float* sample;  // ceil_pow2(max_sample)
    LevelScratch levels;
    int64_t bytes;
};

// Doubles first, then floats and ints, so that every array is aligned.
__device__ SmartScratch smart_scratch(unsigned char* base, int max_sample, int levels) {
    int64_t m = max_sample;
    double* d = reinterpret_cast<double*>(base);
    SmartScratch s;
    s.levels.weight = d;
    s.levels.y = d + m;
    s.levels.best = d + 2 * m;
    s.levels.next = d + 3 * m;
    s.levels.w0 = d + 4 * m;
    s.levels.w1 = d + 5 * m + 1;
    s.levels.w2 = d + 6 * m + 2;
    float* f = reinterpret_cast<float*>(d + 7 * m + 3);
    s.sample = f;
    s.levels.distinct = f + ceil_pow2(max_sample);
    s.levels.choice = reinterpret_cast<int32_t*>(s.levels.distinct + m);
    s.bytes = (int64_t)(reinterpret_cast<unsigned char*>(s.levels.choice + (int64_t)levels * m) - base);
    return s;
}

}  // namespace

extern "C" __global__ void GQ_BOUNDS gq_smart(const Call* call) {
    const Call& c = *call;
    float* values = dynamic_shared();
    __shared__ float points[256];
    __shared__ int point_count;
    __shared__ int sample_count;
    SmartScratch s = smart_scratch(reinterpret_cast<unsigned char*>(c.scratch + (uint64_t)blockIdx.x * c.scratch_stride),
                                   c.max_sample, c.spec.levels);
    double variance = 0.0, norm = 0.0, non_finite = 0.0;
    if (s.bytes > c.scratch_stride) {  // the host sized the scratch differently: refuse, write nothing
        write_partials(c, 0.0, 0.0, 0.0, (double)E_SCRATCH);
        return;
    }
    for (int64_t b = blockIdx.x; b < c.buckets; b += gridDim.x) {
        Bucket r = bucket_at(c, b);
        bool on_chip = r.n <= c.on_chip;
        float first = *element(c, r, 0);
        uint64_t min_key = ~0ull, max_key = ~0ull;
        double squares = 0.0;
        bool finite = true, varies = false;
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            float v = *element(c, r, i);
            if (on_chip) values[i] = v;
            finite &= is_finite(v);
            varies |= v != first;
            double a = fabs((double)v);
            squares += a * a;
            uint32_t o = ordered_bits(v + 0.0f);
            // first min and first max: smallest (value, position) and (-value, position)
            uint64_t lo = (uint64_t)o << 32 | (uint32_t)i, hi = (uint64_t)~o << 32 | (uint32_t)i;
            if (lo < min_key) min_key = lo;
            if (hi < max_key) max_key = hi;
        }
        if (__syncthreads_or(!finite)) {  // left unchanged and counted
            if (threadIdx.x == 0) non_finite += 1.0;
            continue;
        }
        norm += squares;
        if (!__syncthreads_or(varies)) continue;  // one distinct value: the only point
        int arg_min = (int)(uint32_t)block_all_reduce(min_key, MinU64());
        int arg_max = (int)(uint32_t)block_all_reduce(max_key, MinU64());
        int m = sample_size(c.spec.smart_fraction, r.n);
        if (m == r.n) {
            for (int i = threadIdx.x; i < r.n; i += blockDim.x) s.sample[i] = (on_chip ? values[i] : *element(c, r, i)) + 0.0f;
            if (threadIdx.x == 0) sample_count = r.n;
        } else {
            uint64_t cutoff = select_key(c, r, m);
            if (threadIdx.x == 0) sample_count = 0;
            __syncthreads();
            for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
                if (sample_key(c, r, i) <= cutoff) {
                    s.sample[atomicAdd(&sample_count, 1)] = (on_chip ? values[i] : *element(c, r, i)) + 0.0f;
                }
            }
            __syncthreads();
            if (threadIdx.x == 0) {  // the bucket's min and max are always candidates
                int k = sample_count;
                if (sample_key(c, r, arg_min) > cutoff) s.sample[k++] = (on_chip ? values[arg_min] : *element(c, r, arg_min)) + 0.0f;
                if (sample_key(c, r, arg_max) > cutoff && arg_max != arg_min) {
                    s.sample[k++] = (on_chip ? values[arg_max] : *element(c, r, arg_max)) + 0.0f;
                }
                sample_count = k;
            }
        }
        __syncthreads();
        int count = sample_count;
        int padded = ceil_pow2(count);
        for (int j = count + threadIdx.x; j < padded; j += blockDim.x) s.sample[j] = INFINITY;
        __syncthreads();
        bitonic_sort(s.sample, padded);
        if (threadIdx.x == 0) point_count = choose_levels(s.sample, count, c.spec.levels, s.levels, points);
        __syncthreads();
        int pc = point_count;
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            float* e = element(c, r, i);
            float v = on_chip ? values[i] : *e;
            *e = points_round(points, pc, v, uniform_at(c, PURPOSE_ROUND, r.start + i), &variance);
        }
        __syncthreads();  // points, the sample and the counters are reused by the next bucket
    }
    write_partials(c, variance, norm, non_finite, 0.0);
}
