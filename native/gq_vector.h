// Whole-bucket loops of the CPU backend, each with a portable scalar version built on the shared
// per-element functions (cuda/*.cuh) and an AVX2 and/or AVX-512 version chosen at run time when the
// processor has it. All give bit-identical outputs; the vector versions only change the order in
// which the variance statistic is summed (the statistic is compared with a tolerance, never bit
// for bit).
//
// Quantization is split as the per-element math is (gq_round.cuh): *_index_all turns values into
// codes (one byte each), lookup_all turns codes into values through a per-bucket table of every
// code's value. Messages hold the codes bit-packed (pack_codes / unpack_codes).
#pragma once
#include <stddef.h>
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

// codes[i] = the code of x[i] with words[i] as its random bits; returns the summed variance
// (exponential: relative to the norm, as exponential_index adds it).
double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
// Between the ascending points[0..count) (smart).
double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words, uint8_t* codes);

// A table of the value of every code: TABLE_ENTRIES floats, 64-byte aligned; entries past the
// quantizer's codes are zero. The vector lookups read it in blocks of 16.
constexpr int TABLE_ENTRIES = 256;

// out[i] = table[codes[i]], codes[i] < entries.
void lookup_all(const float* table, int entries, const uint8_t* codes, int64_t n, float* out);
// out[i] = out[i] + weight * table[codes[i]], the product and the sum each rounded to float32.
void lookup_add_all(const float* table, int entries, const uint8_t* codes, int64_t n, float weight, float* out);

// Packs count codes of `bits` bits (1..8), least significant bit first, into the
// ceil(count * bits / 8) bytes at out; the unused high bits of the last byte are zero. Writes
// nothing else.
void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out);
// The inverse: reads exactly the ceil(count * bits / 8) bytes at in.
void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes);

// The orthonormal Walsh-Hadamard transform of y[0..size), size a power of two, with the
// reference's butterfly pairing and order (float results identical to WalshHadamard.java).
void hadamard_transform(float* y, int64_t size);

// out[i] = in[i] with its sign flipped where bit offset + i of words is set (bit b is bit b % 32,
// least significant first, of words[b / 32]): XOR of the sign bit is IEEE negation, exactly.
// in == out is allowed.
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);

// The CRC32C (Castagnoli, as java.util.zip.CRC32C) of n bytes, continuing from crc (a finished CRC;
// 0 for none yet).
uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n);
// The CRC32C of a || b from crc_a = CRC32C(a), crc_b = CRC32C(b) and b's length.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);

// Scalar and vector versions, for the dispatcher.
namespace scalar {
BucketScan scan_bucket(const float* x, int n);
void hadamard_transform(float* y, int64_t size);
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);
double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words, uint8_t* codes);
void lookup_all(const float* table, const uint8_t* codes, int64_t n, float* out);
void lookup_add_all(const float* table, const uint8_t* codes, int64_t n, float weight, float* out);
void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out);
void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n);
}  // namespace scalar
namespace avx2 {
BucketScan scan_bucket(const float* x, int n);
double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
void lookup_all(const float* table, const uint8_t* codes, int64_t n, float* out);
void lookup_add_all(const float* table, const uint8_t* codes, int64_t n, float weight, float* out);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
// SSE4.2's crc32 instruction (every AVX2 processor has it).
uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n);
}  // namespace avx2
namespace avx512 {
BucketScan scan_bucket(const float* x, int n, SumOrder order);
double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes);
// For count <= 16 points: the points live in one register.
double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words, uint8_t* codes);
void lookup_all(const float* table, int entries, const uint8_t* codes, int64_t n, float* out);
void lookup_add_all(const float* table, int entries, const uint8_t* codes, int64_t n, float weight, float* out);
// With BMI2's pext and pdep (every AVX-512 processor has them, and runs them fast).
void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out);
void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes);
// For size >= 16.
void hadamard_transform(float* y, int64_t size);
void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n);
void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out);
}  // namespace avx512

}  // namespace gq
