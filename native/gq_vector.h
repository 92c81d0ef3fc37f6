// Whole-bucket loops of the CPU backend, each with a portable scalar version built on the shared
// per-element functions (cuda/*.cuh) and an AVX2 version chosen at run time when the processor has
// it, and AVX-512 versions of the hottest ones. All give bit-identical outputs; the vector
// versions only change the order in which the
// variance statistic is summed (the statistic is compared with a tolerance, never bit for bit).
#pragma once
#include <stdint.h>

#include "gq_round.cuh"

namespace gq {

// What one pass over a bucket finds.
struct BucketScan {
    float min, max;
    double sum_squares;  // canonical order: see lane_sum_squares in gq_round.cuh
    double max_abs;
    bool finite;
};

// Which loops run: the best the processor has, unless lowered (tests run every level).
enum VectorLevel : int { VECTOR_SCALAR = 0, VECTOR_AVX2 = 1, VECTOR_AVX512 = 2 };
VectorLevel best_vector_level();
VectorLevel vector_level();
// Sets the level, capped at what the processor has; returns the level now in force.
VectorLevel set_vector_level(int level);

// The order in which a scan sums squares: the canonical one (lane_sum_squares), which the
// exponential quantizer's points depend on, or any, for the norm statistic alone.
enum SumOrder : int { SUM_CANONICAL = 0, SUM_ANY = 1 };

BucketScan scan_bucket(const float* x, int n, SumOrder order);

// out[i] = random_bits(seed, step, purpose, first + i) for i in [0, n).
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);

// Rounds x[0..n) with words[i] as element i's random bits; returns the summed variance.
double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words);
double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words);
// Rounds x[0..n) between the ascending points[0..count) (smart).
double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words);

// The orthonormal Walsh-Hadamard transform of y[0..size), size a power of two, with the
// reference's butterfly pairing and order (float results identical to WalshHadamard.java).
void hadamard_transform(float* y, int64_t size);

// out[i] = in[i] with its sign flipped where bit offset + i of words is set (bit b is bit b % 32,
// least significant first, of words[b / 32]): XOR of the sign bit is IEEE negation, exactly.
// in == out is allowed.
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);

// Scalar and vector versions, for the dispatcher.
namespace scalar {
BucketScan scan_bucket(const float* x, int n);
void hadamard_transform(float* y, int64_t size);
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);
double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words);
double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words);
double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
}  // namespace scalar
namespace avx2 {
BucketScan scan_bucket(const float* x, int n);
double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words);
double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
}  // namespace avx2
namespace avx512 {
BucketScan scan_bucket(const float* x, int n, SumOrder order);
double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words);
double exponential_round_all(const ExponentialParams& p, float* x, int n, const uint32_t* words);
// For size >= 16.
void hadamard_transform(float* y, int64_t size);
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);
// For count <= 16 points: the points live in one register.
double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
}  // namespace avx512

}  // namespace gq
