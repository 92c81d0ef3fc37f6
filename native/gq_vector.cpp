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

BucketScan scan_bucket(const float* x, int n, SumOrder order) {
    switch (vector_level()) {  // the AVX2 and scalar scans sum in the canonical order at no cost
        case VECTOR_AVX512: return avx512::scan_bucket(x, n, order);
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
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::exponential_round_all(p, x, n, words);
        case VECTOR_AVX2: return avx2::exponential_round_all(p, x, n, words);
        default: return scalar::exponential_round_all(p, x, n, words);
    }
}

double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words) {
    return vector_level() >= VECTOR_AVX512 && count <= 16 ? avx512::points_round_all(points, count, x, n, words)
                                                          : scalar::points_round_all(points, count, x, n, words);
}

void hadamard_transform(float* y, int64_t size) {
    if (vector_level() == VECTOR_AVX512 && size >= 16) return avx512::hadamard_transform(y, size);
    scalar::hadamard_transform(y, size);
}

void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n) {
    if (vector_level() == VECTOR_AVX512) return avx512::flip_signs(words, offset, in, out, n);
    scalar::flip_signs(words, offset, in, out, n);
}

namespace scalar {

void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n) {
    const uint32_t* from = (const uint32_t*)in;
    uint32_t* to = (uint32_t*)out;
    for (int i = 0; i < n; i++) {
        int bit = offset + i;
        to[i] = from[i] ^ (words[bit >> 5] >> (bit & 31)) << 31;
    }
}

// The portable transform. Each butterfly's result depends only on its two inputs, so any order
// within a stage, and any vector width, gives the same floats. The first three stages run as one
// unrolled 8-point transform per group of 8 (their inner loops are too short to vectorise); the
// compiler vectorises the restrict-qualified inner loop of the later stages for every clone.
__attribute__((target_clones("avx512f", "avx2", "default")))
void hadamard_transform(float* y, int64_t size) {
    int64_t half = 1;
    if (size >= 8) {
        for (int64_t s = 0; s < size; s += 8) {
            float* a = y + s;
            float t0 = a[0] + a[1], t1 = a[0] - a[1], t2 = a[2] + a[3], t3 = a[2] - a[3];
            float t4 = a[4] + a[5], t5 = a[4] - a[5], t6 = a[6] + a[7], t7 = a[6] - a[7];
            float u0 = t0 + t2, u2 = t0 - t2, u1 = t1 + t3, u3 = t1 - t3;
            float u4 = t4 + t6, u6 = t4 - t6, u5 = t5 + t7, u7 = t5 - t7;
            a[0] = u0 + u4; a[4] = u0 - u4; a[1] = u1 + u5; a[5] = u1 - u5;
            a[2] = u2 + u6; a[6] = u2 - u6; a[3] = u3 + u7; a[7] = u3 - u7;
        }
        half = 8;
    }
    for (; half < size; half <<= 1) {
        for (int64_t s = 0; s < size; s += 2 * half) {
            float* __restrict a = y + s;
            float* __restrict b = y + s + half;
            for (int64_t i = 0; i < half; i++) {
                float sum = a[i] + b[i];
                float difference = a[i] - b[i];
                a[i] = sum;
                b[i] = difference;
            }
        }
    }
    float scale = hadamard_scale(size);
    for (int64_t i = 0; i < size; i++) y[i] *= scale;
}

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

double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) x[i] = points_round(points, count, x[i], uniform_from_bits(words[i]), &variance);
    return variance;
}

}  // namespace scalar
}  // namespace gq
