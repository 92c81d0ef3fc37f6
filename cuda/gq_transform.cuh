// Block-wide orthonormal Walsh-Hadamard transform of y[0..size), size a power of two: butterfly
// stages with half-width 1, 2, 4, ..., then a scale by 1/sqrt(size), as WalshHadamard.java does.
// Each butterfly computes a+b and a-b from the same two inputs as the reference, stage after
// stage, so the float result is identical; only the order of butterflies inside one stage (which
// are independent) differs.
//
// Up to on_chip values the transform runs in shared memory. Beyond, y lives in global memory:
// the stages narrower than the shared-memory chunk run chunk by chunk in shared memory (they never
// cross a chunk), the wider ones run in global memory with a barrier between stages.
#pragma once
#include "gq_device.cuh"
#include "gq_round.cuh"

namespace gq {

// Stages with half-width from `from` up to (not including) `to`, over y[0..size).
__device__ __forceinline__ void butterfly_stages(float* y, int64_t size, int64_t from, int64_t to) {
    for (int64_t half = from; half < to; half <<= 1) {
        for (int64_t q = threadIdx.x; q < size / 2; q += blockDim.x) {
            int64_t i = ((q & ~(half - 1)) << 1) | (q & (half - 1));  // q-th pair of this stage
            butterfly(&y[i], &y[i + half]);
        }
        __syncthreads();
    }
}

// Transforms y[0..size) in place. `shared` holds `chunk` floats (a power of two); y may be shared
// memory itself when size <= chunk. Starts and ends with the block in step.
__device__ __forceinline__ void walsh_hadamard(float* y, int64_t size, float* shared, int64_t chunk) {
    if (size <= chunk) {
        butterfly_stages(y, size, 1, size);
    } else {
        for (int64_t base = 0; base < size; base += chunk) {
            for (int64_t j = threadIdx.x; j < chunk; j += blockDim.x) shared[j] = y[base + j];
            __syncthreads();
            butterfly_stages(shared, chunk, 1, chunk);
            for (int64_t j = threadIdx.x; j < chunk; j += blockDim.x) y[base + j] = shared[j];
            __syncthreads();
        }
        butterfly_stages(y, size, chunk, size);
    }
    float scale = hadamard_scale(size);
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x) y[j] *= scale;
    __syncthreads();
}

// The shared-memory chunk of the transform: the largest power of two <= n (n >= 1).
__device__ __forceinline__ int64_t chunk_size(int64_t n) {
    int64_t p = 1;
    while (p * 2 <= n) p *= 2;
    return p;
}

}  // namespace gq
