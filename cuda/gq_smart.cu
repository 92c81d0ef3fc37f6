// smart: sample candidates, choose points by the shared level search (gq_levels.cuh) with the
// threads of the block, round unbiasedly between neighbouring points (the twin of SmartKernel.java
// and Worker::smart in native/gq_cpu.cpp); with a Codec, the message's records and codes instead
// (gq_emit.cuh).
//
// Per-block global scratch (Call::scratch) holds the sample and the level search's arrays; its
// layout is smart_scratch() below, and SmartLauncher.java computes the same size.
#include "gq_emit.cuh"
#include "gq_levels.cuh"
#include "gq_round.cuh"
#include "gq_sample.cuh"

using namespace gq;

namespace {

struct SmartScratch {
    float* sample;       // ceil_pow2(max_sample)
    LevelScratch levels;
    LevelNode* nodes[2];  // breadth-first nodes of the exact search: 2 * ceil_pow2(max_sample) each
    int64_t bytes;
};

// Doubles first, then floats and ints, so that every array is aligned.
__device__ SmartScratch smart_scratch(unsigned char* base, int max_sample, int levels) {
    int64_t m = max_sample, l = levels, p = ceil_pow2(max_sample);
    double* d = reinterpret_cast<double*>(base);
    SmartScratch s;
    s.levels.weight = d;
    s.levels.y = d + m;
    s.levels.best = d + 2 * m;
    s.levels.next = d + 3 * m;
    s.levels.w0 = d + 4 * m;
    s.levels.w1 = d + 5 * m + 1;
    s.levels.w2 = d + 6 * m + 2;
    s.levels.cand = d + 7 * m + 3;
    s.levels.metric = d + 15 * m + 3;
    float* f = reinterpret_cast<float*>(d + 16 * m + 3);
    s.sample = f;
    s.levels.distinct = f + p;
    int32_t* i = reinterpret_cast<int32_t*>(s.levels.distinct + m);
    s.levels.choice = i;
    s.levels.list = i + l * m;
    s.levels.fine = i + l * m + m;
    s.levels.order = i + l * m + 2 * m;
    s.levels.order_b = i + l * m + 3 * m;
    s.levels.window = i + l * m + 4 * m;
    s.levels.slot = i + l * m + 4 * m + 2 * l;
    s.levels.points = i + l * m + 4 * m + 3 * l;
    s.nodes[0] = reinterpret_cast<LevelNode*>(i + l * m + 4 * m + 5 * l);
    s.nodes[1] = s.nodes[0] + 2 * p;
    s.bytes = (int64_t)(reinterpret_cast<unsigned char*>(s.nodes[1] + 2 * p) - base);
    return s;
}

// One layered programme of the fast search, its rows spread over the block's threads; the trace
// goes to out (thread 0). Ends with the block in step.
__device__ void block_programme(const LevelDp& dp, const LevelPrefix& prefix, int32_t* out) {
    level_dp_fill(dp, prefix, threadIdx.x, blockDim.x);
    if (threadIdx.x == 0) dp.layer[0][0] = 0.0;
    __syncthreads();
    for (int k = 1; k < dp.levels; k++) {
        level_rows(dp, k, threadIdx.x, blockDim.x);
        __syncthreads();
    }
    if (threadIdx.x == 0) level_dp_trace(dp, out);
    __syncthreads();
}

// The exact search, each layer's divide and conquer breadth first: the nodes of one depth at a
// time, over the threads; node t's children go to slots 2t and 2t+1 of the next depth (an empty
// range marks a missing child). Ends with the block in step and the points in s.points.
__device__ void block_exact(const LevelPrefix& prefix, int d, int levels, const SmartScratch& s) {
    double* best = s.levels.best;
    double* next = s.levels.next;
    for (int j = 1 + threadIdx.x; j < d; j += blockDim.x) best[j] = prefix.cost(0, j);
    __syncthreads();
    for (int k = 2; k < levels - 1; k++) {
        int32_t* choice = s.levels.choice + (int64_t)k * d;
        if (threadIdx.x == 0) s.nodes[0][0] = level_root(k, d);
        __syncthreads();
        int from = 0;
        for (int count = 1; count > 0; count *= 2) {
            const LevelNode* here = s.nodes[from];
            LevelNode* below = s.nodes[from ^ 1];
            bool more = false;
            for (int t = threadIdx.x; t < count; t += blockDim.x) {
                LevelNode node = here[t];
                LevelNode none = {1, 0, 0, 0};
                LevelNode left = none, right = none;
                if (node.low <= node.high) {
                    int mid = (int)(((unsigned)node.low + (unsigned)node.high) >> 1);
                    int arg = level_node(prefix, best, next, choice, node);
                    if (node.low <= mid - 1) left = LevelNode{node.low, mid - 1, node.opt_low, arg};
                    if (mid + 1 <= node.high) right = LevelNode{mid + 1, node.high, arg, node.opt_high};
                    more |= left.low <= left.high || right.low <= right.high;
                }
                below[2 * t] = left;
                below[2 * t + 1] = right;
            }
            from ^= 1;
            if (!__syncthreads_or(more)) break;
        }
        double* t = best;
        best = next;
        next = t;
    }
    if (threadIdx.x == 0) {
        int last = levels > 2 ? level_last(prefix, best, d, levels) : 0;
        level_exact_trace(s.levels, d, levels, last, s.levels.points);
    }
    __syncthreads();
}

// gq_levels.cuh's choose_levels with the block: sequential steps on thread 0, programme rows and
// divide-and-conquer nodes on all threads. Returns the number of points (in points) to every thread.
__device__ int block_choose_levels(const SmartScratch& s, int m, int levels, float* points) {
    __shared__ int shared_d, shared_n, shared_fine, shared_done;
    const LevelScratch& ls = s.levels;
    if (threadIdx.x == 0) shared_d = level_prefix(s.sample, m, ls);
    __syncthreads();
    int d = shared_d;
    if (d <= levels) {
        for (int i = threadIdx.x; i < d; i += blockDim.x) points[i] = ls.distinct[i];
        __syncthreads();
        return d;
    }
    LevelPrefix prefix = {ls.y, ls.w0, ls.w1, ls.w2};
    LevelPlan plan = level_plan(d, levels);
    int32_t* p = ls.points;
    int32_t* q = ls.points + levels;
    if (!plan.fast) {
        block_exact(prefix, d, levels, s);
    } else {
        if (threadIdx.x == 0) {
            shared_fine = level_candidates(prefix, d, plan, ls, ScalarLevelKernels());
            shared_n = level_coarse_list(shared_fine, plan, levels, ls);
        }
        __syncthreads();
        int nfine = shared_fine;
        block_programme(level_dp(ls, levels, shared_n), prefix, p);
        for (int round = 0; round < plan.rounds; round++) {
            if (threadIdx.x == 0) shared_n = level_neighbour_list(nfine, levels, p, ls);
            __syncthreads();
            block_programme(level_dp(ls, levels, shared_n), prefix, q);
            if (threadIdx.x == 0) {
                shared_done = level_same(p, q, levels);
                shared_n = level_radius_list(d, levels, plan.radius, q, ls);
            }
            __syncthreads();
            block_programme(level_dp(ls, levels, shared_n), prefix, p);
            if (threadIdx.x == 0) shared_done = shared_done && level_same(p, q, levels);
            __syncthreads();
            if (shared_done) break;
        }
    }
    for (int k = threadIdx.x; k < levels; k += blockDim.x) points[k] = ls.distinct[p[k]];
    __syncthreads();
    return levels;
}

}  // namespace

extern "C" __global__ void GQ_BOUNDS gq_smart(const Call* call) {
    const Call& c = *call;
    float* values = dynamic_shared();
    __shared__ float points[256];
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
            emit_unchanged(c, r);
            continue;
        }
        norm += squares;
        if (!__syncthreads_or(varies)) {  // one distinct value: the only point
            emit_unchanged(c, r);
            continue;
        }
        int arg_min = (int)(uint32_t)block_all_reduce(min_key, MinU64());
        int arg_max = (int)(uint32_t)block_all_reduce(max_key, MinU64());
        int m = smart_sample_size(c.spec.smart_fraction, r.n);
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
        int pc = block_choose_levels(s, count, c.spec.levels, points);
        emit_points(c, r, points, pc);
        code_bucket(
            c, r, r.n,
            [&](int64_t i) {
                float v = on_chip ? values[i] : *element(c, r, (int)i);
                return points_index(points, pc, v, uniform_at(c, PURPOSE_ROUND, r.start + i), &variance);
            },
            [&](int64_t i, int k) { *element(c, r, (int)i) = points[k]; });
        __syncthreads();  // points, the sample and the counters are reused by the next bucket
    }
    write_partials(c, variance, norm, non_finite, 0.0);
}
