// Shared by the CUDA kernels (nvcc) and the native CPU kernels (g++): GQ_HD marks functions that
// compile for both host and device. Everything in these headers must give bit-identical results
// on both and must match the Java reference (src/main/java/io/gradquant/reference); build with
// FMA contraction off (g++ -ffp-contract=off, nvcc --fmad=false).
//
// This header is the one place where the native and CUDA code number the quantizers, norms and
// layouts. The numbers are part of the wire format (docs/wire-format.md, header bytes 6, 7 and 11)
// and of the parameter block below; the Java side writes the same numbers
// (io.gradquant.backend.SpecBlock). They are never enum ordinals: a new quantizer takes the next
// free number, and every switch over them ends in an error, never in a silent default.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __CUDACC__
#define GQ_HD __host__ __device__ __forceinline__
#else
#define GQ_HD inline
#endif

namespace gq {

// Quantizers.
enum QuantizerId : int32_t { Q_NONE = 0, Q_STANDARD = 1, Q_SMART = 2, Q_HADAMARD = 3, Q_EXPONENTIAL = 4 };
constexpr int32_t QUANTIZER_IDS = 5;  // ids are 0 .. QUANTIZER_IDS - 1

// The per-bucket norm of the exponential quantizer.
enum NormId : int32_t { NORM_L2 = 0, NORM_MAX = 1 };

// How buckets lie over the segments: over their concatenation, or restarting at each segment.
enum LayoutId : int32_t { LAYOUT_SPANNING = 0, LAYOUT_PER_SEGMENT = 1 };

constexpr int32_t MIN_LEVELS = 2;
constexpr int32_t MAX_LEVELS = 256;
constexpr int32_t MIN_EXPONENTIAL_LEVELS = 4;

// A quantizer's parameters, as one block: what crosses JNI (native/gq_jni.cpp) and what every CUDA
// kernel reads from the head of its gq::Call. Written by io.gradquant.backend.SpecBlock
// (little-endian, the offsets below). A new per-quantizer option takes a reserved slot.
struct SpecBlock {
    uint64_t seed;          // keys the random stream, with the step
    double smart_fraction;  // smart: sampled fraction of a bucket, in (0, 1]
    int32_t type;           // QuantizerId
    int32_t bucket_size;    // >= 1
    int32_t levels;         // [MIN_LEVELS, MAX_LEVELS]; exponential >= MIN_EXPONENTIAL_LEVELS
    int32_t norm;           // NormId
    int32_t layout;         // LayoutId
    int32_t reserved;       // 0
};

static_assert(sizeof(SpecBlock) == 40, "SpecBlock layout is shared with SpecBlock.java");
static_assert(offsetof(SpecBlock, smart_fraction) == 8 && offsetof(SpecBlock, type) == 16, "SpecBlock layout");
static_assert(offsetof(SpecBlock, levels) == 24 && offsetof(SpecBlock, layout) == 32, "SpecBlock layout");

// Null if the block holds a valid spec, else which field is out of range (the Java side validated
// it already; this guards the native code against a block written by anything else).
GQ_HD const char* spec_error(const SpecBlock& s) {
    if (s.type < 0 || s.type >= QUANTIZER_IDS) return "quantizer id out of range [0, 4]";
    if (s.bucket_size < 1) return "bucket size below 1";
    if (s.levels < MIN_LEVELS || s.levels > MAX_LEVELS) return "levels out of range [2, 256]";
    if (s.type == Q_EXPONENTIAL && s.levels < MIN_EXPONENTIAL_LEVELS) return "exponential levels below 4";
    if (s.norm != NORM_L2 && s.norm != NORM_MAX) return "norm id out of range [0, 1]";
    if (s.layout != LAYOUT_SPANNING && s.layout != LAYOUT_PER_SEGMENT) return "layout id out of range [0, 1]";
    if (!(s.smart_fraction > 0.0 && s.smart_fraction <= 1.0)) return "smart fraction out of range (0, 1]";
    return nullptr;
}

GQ_HD bool is_finite(float v) {
    // exponent bits not all ones
    union { float f; uint32_t u; } c;
    c.f = v;
    return (c.u & 0x7f800000u) != 0x7f800000u;
}

}  // namespace gq
