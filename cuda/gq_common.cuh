// Shared by the CUDA kernels (nvcc) and the native CPU kernels (g++): GQ_HD marks functions that
// compile for both host and device. Everything in these headers must give bit-identical results
// on both and must match the Java reference (src/main/java/io/gradquant/reference); build with
// FMA contraction off (g++ -ffp-contract=off, nvcc --fmad=false).
#pragma once
#include <stdint.h>

#ifdef __CUDACC__
#define GQ_HD __host__ __device__ __forceinline__
#else
#define GQ_HD inline
#endif

namespace gq {

// Quantizer type ids, as QuantizerType.id() and docs/wire-format.md number them; never renumbered.
enum QuantizerId : int { Q_NONE = 0, Q_STANDARD = 1, Q_SMART = 2, Q_HADAMARD = 3, Q_EXPONENTIAL = 4 };
// ExponentialNorm.id()
enum NormId : int { NORM_L2 = 0, NORM_MAX = 1 };

GQ_HD bool is_finite(float v) {
    // exponent bits not all ones
    union { float f; uint32_t u; } c;
    c.f = v;
    return (c.u & 0x7f800000u) != 0x7f800000u;
}

}  // namespace gq
