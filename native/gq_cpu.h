// The native CPU backend: quantizes float32 segments in place with the shared math of cuda/*.cuh.
// Called from gq_jni.cpp; knows nothing of the JVM.
#pragma once
#include <stdint.h>

namespace gq {

struct Spec {
    int type;          // QuantizerId
    int bucket_size;   // >= 1
    int levels;        // [2, 256]; exponential >= 4
    uint64_t seed;
    double smart_fraction;
    int norm;          // NormId
    bool per_segment;  // buckets restart at each segment
};

struct Segment {
    float* data;
    int64_t length;
};

struct Stats {
    double variance = 0.0;
    double norm_squared = 0.0;
    int64_t buckets = 0;
    int64_t non_finite = 0;
};

// Quantizes every segment in place. Returns nullptr on success, or a message if scratch memory
// could not be allocated, in which case nothing was written.
const char* quantize_cpu(const Spec& spec, uint64_t step, const Segment* segments, int count, int threads, Stats* stats);

// Copies n floats from src to dst on up to `threads` threads, split as quantize_cpu splits its
// work: the memory baseline the benchmarks compare the quantizers with.
void copy_cpu(const float* src, float* dst, int64_t n, int threads);

}  // namespace gq
