// Candidate sampling of the smart quantizer, block-wide: the m elements with the smallest keys
// (random bits << 32 | position), found by an 8-bit radix select over the 64-bit keys, which are
// recomputed from Philox on every pass instead of being stored; and a bitonic sort of the sample.
// The keys are unique, so the selected set, and after sorting the sample, do not depend on the
// order in which threads run; they equal the nth_element / Arrays.sort result of the CPU and Java
// kernels.
#pragma once
#include "gq_device.cuh"
#include "gq_smart_sample.cuh"

namespace gq {

__device__ __forceinline__ uint64_t sample_key(const Call& c, const Bucket& r, int i) {
    return (uint64_t)random_bits(c.spec.seed, c.step, PURPOSE_SAMPLE, r.start + i) << 32 | (uint32_t)i;
}

// Unsigned integers that order like the floats they come from (finite, no -0).
__device__ __forceinline__ uint32_t ordered_bits(float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    return (u & 0x80000000u) != 0 ? ~u : (u | 0x80000000u);
}

struct MinU64 {
    __device__ __forceinline__ uint64_t operator()(uint64_t a, uint64_t b) const { return b < a ? b : a; }
};

// The rank-th smallest (1-based) sample key of bucket r: one pass per key byte, from the top,
// each counting the keys that match the bytes chosen so far.
__device__ inline uint64_t select_key(const Call& c, const Bucket& r, int rank) {
    __shared__ unsigned histogram[256];
    __shared__ uint64_t chosen;
    __shared__ int rank_left;
    uint64_t prefix = 0;
    for (int shift = 56; shift >= 0; shift -= 8) {
        for (int d = threadIdx.x; d < 256; d += blockDim.x) histogram[d] = 0;
        __syncthreads();
        for (int i = threadIdx.x; i < r.n; i += blockDim.x) {
            uint64_t key = sample_key(c, r, i);
            if (shift == 56 || (key >> (shift + 8)) == (prefix >> (shift + 8))) {
                atomicAdd(&histogram[(key >> shift) & 255], 1u);
            }
        }
        __syncthreads();
        if (threadIdx.x == 0) {
            int d = 0;
            while ((unsigned)rank > histogram[d]) {
                rank -= (int)histogram[d];
                d++;
            }
            chosen = prefix | (uint64_t)d << shift;
            rank_left = rank;
        }
        __syncthreads();
        prefix = chosen;
        rank = rank_left;
    }
    return prefix;
}

// Sorts a[0..n) ascending, n a power of two. Ends with the block in step.
__device__ inline void bitonic_sort(float* a, int n) {
    for (int k = 2; k <= n; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int i = threadIdx.x; i < n; i += blockDim.x) {
                int partner = i ^ j;
                if (partner > i) {
                    float x = a[i], y = a[partner];
                    bool ascending = (i & k) == 0;
                    if ((x > y) == ascending) {
                        a[i] = y;
                        a[partner] = x;
                    }
                }
            }
            __syncthreads();
        }
    }
}

__device__ __forceinline__ int ceil_pow2(int n) {
    int p = 1;
    while (p < n) p <<= 1;
    return p;
}

}  // namespace gq
