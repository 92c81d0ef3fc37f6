// Building blocks of the quantization kernels: the bucket plan over the segment table, element
// access, block-wide reductions and the per-element random numbers. Written in plain CUDA (no
// cooperative groups, no library) so that the CPU stand-in in src/test/native can compile the very
// same kernels with g++ and run them, one std::thread per CUDA thread.
//
// Launch contract, shared by every kernel: blockDim.x is a multiple of 32 and at most MAX_THREADS;
// a block loops over buckets blockIdx.x, blockIdx.x + gridDim.x, ... so that every thread of a
// block takes part in every barrier; no thread returns early.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gq_call.cuh"
#include "gq_philox.cuh"
#include "gq_plan.cuh"

namespace gq {

constexpr int WARP = 32;
constexpr int MAX_THREADS = 256;
constexpr unsigned FULL_MASK = 0xffffffffu;

// Launch bounds of every kernel. The minimum of one block per multiprocessor matters: without it
// ptxas trades registers for occupancy and spills (in gq_smart's inlined level search, and around
// the double-division slow-path calls in gq_hadamard), which -warn-spills turns into a build error.
#define GQ_BOUNDS __launch_bounds__(gq::MAX_THREADS, 1)

#ifdef __CUDACC__
// The block's dynamic shared memory (the launch's sharedMemBytes).
__device__ __forceinline__ float* dynamic_shared() {
    extern __shared__ float4 gq_dynamic_shared[];
    return reinterpret_cast<float*>(gq_dynamic_shared);
}
#else
// Under g++ the CPU stand-in provides the block's dynamic shared memory.
float* gq_stand_in_dynamic_shared();
inline float* dynamic_shared() { return gq_stand_in_dynamic_shared(); }
#endif

// ---- the bucket plan (gq_plan.cuh) over the call's segment tables -------------------------------

__device__ __forceinline__ Bucket bucket_at(const Call& c, int64_t b) {
    PlanTables p = {reinterpret_cast<const int64_t*>(c.offsets), reinterpret_cast<const int64_t*>(c.first_bucket),
                    c.segments, c.spec.bucket_size};
    return plan_bucket(p, b);
}

// Element i of bucket r, wherever its segment lives: buckets may span segments.
__device__ __forceinline__ float* element(const Call& c, const Bucket& r, int i) {
    const int64_t* offsets = reinterpret_cast<const int64_t*>(c.offsets);
    const uint64_t* addresses = reinterpret_cast<const uint64_t*>(c.addresses);
    int64_t flat = r.start + i;
    int s = r.seg_lo == r.seg_hi ? r.seg_lo : last_at_most(offsets, flat, r.seg_lo, r.seg_hi);
    return reinterpret_cast<float*>(addresses[s]) + (flat - offsets[s]);
}

// ---- random numbers ------------------------------------------------------------------------------

__device__ __forceinline__ double uniform_at(const Call& c, uint32_t purpose, uint64_t index) {
    return uniform_from_bits(random_bits(c.spec.seed, c.step, purpose, index));
}

// Whether the Hadamard rotation flips the sign of element `index` (one Philox word per 32 elements).
__device__ __forceinline__ bool negative_sign_at(const Call& c, uint64_t index) {
    return negative_bit(c.spec.seed, c.step, index) != 0;
}

// ---- block-wide reductions -----------------------------------------------------------------------

// Shuffle of any 4- or 8-byte value across the warp.
template <class T>
__device__ __forceinline__ T shuffle_xor(T v, int lane_mask) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "shuffle_xor moves 4 or 8 bytes");
    if constexpr (sizeof(T) == 8) {
        unsigned long long w;
        memcpy(&w, &v, 8);
        w = __shfl_xor_sync(FULL_MASK, w, lane_mask);
        memcpy(&v, &w, 8);
    } else {
        unsigned w;
        memcpy(&w, &v, 4);
        w = __shfl_xor_sync(FULL_MASK, w, lane_mask);
        memcpy(&v, &w, 4);
    }
    return v;
}

// Combines one value per thread over the block; every thread gets the result. The order of
// combination is fixed (butterfly within warps, then warps in order), so sums are reproducible
// for a given block size. Ends with a barrier, so it may be called again at once.
template <class T, class Op>
__device__ T block_all_reduce(T v, Op op) {
    __shared__ T per_warp[MAX_THREADS / WARP];
#pragma unroll
    for (int m = WARP / 2; m > 0; m >>= 1) v = op(v, shuffle_xor(v, m));
    int warps = blockDim.x / WARP;
    if (warps == 1) return v;  // the same for the whole block: no thread diverges
    if ((threadIdx.x & (WARP - 1)) == 0) per_warp[threadIdx.x / WARP] = v;
    __syncthreads();
    T r = per_warp[0];
    for (int w = 1; w < warps; w++) r = op(r, per_warp[w]);
    __syncthreads();
    return r;
}

struct Sum {
    __device__ __forceinline__ double operator()(double a, double b) const { return a + b; }
};

struct Max {
    __device__ __forceinline__ double operator()(double a, double b) const { return a > b ? a : b; }
};

// Bucket min and max travel together: one 8-byte shuffle instead of two.
struct MinMax {
    float lo, hi;
};

struct MinMaxOp {
    __device__ __forceinline__ MinMax operator()(MinMax a, MinMax b) const {
        MinMax r;
        r.lo = b.lo < a.lo ? b.lo : a.lo;
        r.hi = b.hi > a.hi ? b.hi : a.hi;
        return r;
    }
};

__device__ __forceinline__ void include(MinMax* m, float v) {
    if (v < m->lo) m->lo = v;
    if (v > m->hi) m->hi = v;
}

// Writes the block's statistics to Call::partials; gq_reduce_stats adds them up. Non-finite
// buckets and errors are counted by thread 0 alone (every thread knows them).
__device__ __forceinline__ void write_partials(const Call& c, double variance, double norm, double non_finite,
                                               double error) {
    variance = block_all_reduce(variance, Sum());
    norm = block_all_reduce(norm, Sum());
    if (threadIdx.x == 0) {
        double* p = reinterpret_cast<double*>(c.partials) + (int64_t)blockIdx.x * PARTIAL_WORDS;
        p[P_VARIANCE] = variance;
        p[P_NORM] = norm;
        p[P_NON_FINITE] = non_finite;
        p[P_ERROR] = error;
    }
}

}  // namespace gq
