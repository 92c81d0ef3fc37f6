// Lets g++ compile the CUDA kernels of cuda/ as ordinary C++ for the CPU stand-in driver (test
// only; force-included with -include before any kernel source). Every CUDA thread of a block is a
// std::thread (shim_runtime.cpp); these are the CUDA language features the kernels use:
// - __shared__ variables become function-local statics. They are block-shared because the stand-in
//   runs one block at a time, process-wide, with all its threads;
// - __syncthreads and __syncthreads_or are a std::barrier over the block;
// - __shfl_xor_sync exchanges values through per-warp slots and a std::barrier over the warp;
// - atomicAdd is a relaxed atomic add (the barriers around it give the ordering).
// Only one-dimensional launches are supported, with blockDim.x a multiple of 32.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmath>

struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
};

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)

namespace gq_shim {

extern thread_local uint3 thread_index;
extern thread_local uint3 block_index;
extern thread_local dim3 block_dimension;
extern thread_local dim3 grid_dimension;

void sync_block();
int sync_block_or(int predicate);
// Every lane of the calling thread's warp passes `size` bytes at `value`; returns in `out` the
// bytes that lane `source` passed.
void warp_exchange(const void* value, void* out, size_t size, unsigned source);

}  // namespace gq_shim

#define threadIdx (gq_shim::thread_index)
#define blockIdx (gq_shim::block_index)
#define blockDim (gq_shim::block_dimension)
#define gridDim (gq_shim::grid_dimension)

inline void __syncthreads() { gq_shim::sync_block(); }

inline int __syncthreads_or(int predicate) { return gq_shim::sync_block_or(predicate); }

template <class T>
inline T __shfl_xor_sync(unsigned mask, T value, int lane_mask) {
    static_assert(sizeof(T) <= 8, "the stand-in shuffles up to 8 bytes, as CUDA does");
    (void)mask;  // the kernels shuffle with all 32 lanes
    T out;
    gq_shim::warp_exchange(&value, &out, sizeof(T), (threadIdx.x & 31u) ^ (unsigned)lane_mask);
    return out;
}

inline unsigned atomicAdd(unsigned* address, unsigned value) {
    return __atomic_fetch_add(address, value, __ATOMIC_RELAXED);
}

inline int atomicAdd(int* address, int value) { return __atomic_fetch_add(address, value, __ATOMIC_RELAXED); }
