// Scalar versions of the whole-bucket loops (straight from the shared per-element functions) and
// the run-time choice between them and the AVX2 and AVX-512 versions.
#include "gq_vector.h"

#include <atomic>

#include "gq_philox.cuh"

namespace gq {
namespace {

VectorLevel detect() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        return VECTOR_AVX512;
    }
    return __builtin_cpu_supports("avx2") ? VECTOR_AVX2 : VECTOR_SCALAR;
}

const VectorLevel best = detect();
std::atomic<int> level{best};

}  // namespace

VectorLevel best_vector_level() { return best; }

VectorLevel vector_level() { return (VectorLevel)level.load(std::memory_order_relaxed); }

VectorLevel set_vector_level(int wanted) {
    level.store(wanted < 0 ? 0 : wanted > best ? best : wanted, std::memory_order_relaxed);
    return vector_level();
}

BucketScan scan_bucket(const float* x, int n) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::scan_bucket(x, n);
        case VECTOR_AVX2: return avx2::scan_bucket(x, n);
        default: return scalar::scan_bucket(x, n);
    }
}

void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::fill_random_words(seed, step, purpose, first, n, out);
        case VECTOR_AVX2: return avx2::fill_random_words(seed, step, purpose, first, n, out);
        default: return scalar::fill_random_words(seed, step, purpose, first, n, out);
    }
}

double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::standard_round_all(p, x, n, words);
        case VECTOR_AVX2: return avx2::standard_round_all(p, x, n, words);
        default: return scalar::standard_round_all(p, x, n, words);
    }
}

double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words) {
    // division-bound: AVX-512 gains little over AVX2 here
    return vector_level() >= VECTOR_AVX2 ? avx2::exponential_round_all(p, x, n, words)
                                         : scalar::exponential_round_all(p, x, n, words);
}

namespace scalar {

BucketScan scan_bucket(const float* x, int n) {
    BucketScan s = {INFINITY, -INFINITY, lane_sum_squares(x, n), 0.0, true};
    for (int i = 0; i < n; i++) {
        s.finite &= is_finite(x[i]);
        if (x[i] < s.min) s.min = x[i];
        if (x[i] > s.max) s.max = x[i];
        double a = fabs((double)x[i]);
        if (a > s.max_abs) s.max_abs = a;
    }
    return s;
}

void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out) {
    for (int64_t i = 0; i < n;) {
        uint64_t index = first + (uint64_t)i;
        Philox4 w = random_block(seed, step, purpose, index >> 2);
        for (uint64_t j = index & 3; j < 4 && i < n; j++) out[i++] = w.v[j];
    }
}

double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) x[i] = standard_round(p, x[i], uniform_from_bits(words[i]), &variance);
    return variance;
}

double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) x[i] = exponential_round(p, x[i], uniform_from_bits(words[i]), &variance);
    return variance;
}

}  // namespace scalar
}  // namespace gq
