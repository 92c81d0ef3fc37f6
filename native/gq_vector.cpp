// Scalar versions of the whole-bucket loops (straight from the shared per-element functions) and
// the run-time choice between them and the AVX2 and AVX-512 versions.
#include "gq_vector.h"

#include <atomic>
#include <stdexcept>

#include "gq_philox.cuh"

namespace gq {
namespace {

VectorLevel detect() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("bmi2")) {
        return VECTOR_AVX512;
    }
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("sse4.2") ? VECTOR_AVX2 : VECTOR_SCALAR;
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

double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::standard_index_all(p, x, n, words, codes);
        case VECTOR_AVX2: return avx2::standard_index_all(p, x, n, words, codes);
        default: return scalar::standard_index_all(p, x, n, words, codes);
    }
}

double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::exponential_index_all(p, x, n, words, codes);
        case VECTOR_AVX2: return avx2::exponential_index_all(p, x, n, words, codes);
        default: return scalar::exponential_index_all(p, x, n, words, codes);
    }
}

double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    return vector_level() >= VECTOR_AVX512 && count <= 16 ? avx512::points_index_all(points, count, x, n, words, codes)
                                                          : scalar::points_index_all(points, count, x, n, words, codes);
}

void lookup_all(const float* table, int entries, const uint8_t* codes, int64_t n, float* out) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::lookup_all(table, entries, codes, n, out);
        case VECTOR_AVX2: return avx2::lookup_all(table, codes, n, out);
        default: return scalar::lookup_all(table, codes, n, out);
    }
}

void lookup_add_all(const float* table, int entries, const uint8_t* codes, int64_t n, float weight, float* out) {
    switch (vector_level()) {
        case VECTOR_AVX512: return avx512::lookup_add_all(table, entries, codes, n, weight, out);
        case VECTOR_AVX2: return avx2::lookup_add_all(table, codes, n, weight, out);
        default: return scalar::lookup_add_all(table, codes, n, weight, out);
    }
}

void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out) {
    if (vector_level() == VECTOR_AVX512) return avx512::pack_codes(codes, count, bits, out);
    scalar::pack_codes(codes, count, bits, out);
}

void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes) {
    if (vector_level() == VECTOR_AVX512) return avx512::unpack_codes(in, count, bits, codes);
    scalar::unpack_codes(in, count, bits, codes);
}

uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n) {
    return vector_level() >= VECTOR_AVX2 ? avx2::crc32c(crc, p, n) : scalar::crc32c(crc, p, n);
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

double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) codes[i] = (uint8_t)standard_index(p, x[i], uniform_from_bits(words[i]), &variance);
    return variance;
}

double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) codes[i] = (uint8_t)exponential_index(p, x[i], uniform_from_bits(words[i]), &variance);
    return variance;
}

double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    double variance = 0.0;
    for (int i = 0; i < n; i++) {
        codes[i] = (uint8_t)points_index(points, count, x[i], uniform_from_bits(words[i]), &variance);
    }
    return variance;
}

void lookup_all(const float* table, const uint8_t* codes, int64_t n, float* out) {
    for (int64_t i = 0; i < n; i++) out[i] = table[codes[i]];
}

void lookup_add_all(const float* table, const uint8_t* codes, int64_t n, float weight, float* out) {
    for (int64_t i = 0; i < n; i++) out[i] = out[i] + weight * table[codes[i]];
}

namespace {

// Eight codes of BITS bits are exactly BITS bytes: code i at bits [i * BITS, i * BITS + BITS).
template <int BITS>
void pack_groups(const uint8_t* codes, int64_t groups, uint8_t* out) {
    for (int64_t g = 0; g < groups; g++, codes += 8, out += BITS) {
        uint64_t word = 0;
        for (int i = 0; i < 8; i++) word |= (uint64_t)codes[i] << (i * BITS);
        for (int k = 0; k < BITS; k++) out[k] = (uint8_t)(word >> (8 * k));
    }
}

template <int BITS>
void unpack_groups(const uint8_t* in, int64_t groups, uint8_t* codes) {
    for (int64_t g = 0; g < groups; g++, in += BITS, codes += 8) {
        uint64_t word = 0;
        for (int k = 0; k < BITS; k++) word |= (uint64_t)in[k] << (8 * k);
        for (int i = 0; i < 8; i++) codes[i] = (uint8_t)((word >> (i * BITS)) & ((1u << BITS) - 1));
    }
}

}  // namespace

void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out) {
    int64_t groups = count / 8;
    switch (bits) {  // whole groups of eight codes, with the shifts known at compile time
        case 1: pack_groups<1>(codes, groups, out); break;
        case 2: pack_groups<2>(codes, groups, out); break;
        case 3: pack_groups<3>(codes, groups, out); break;
        case 4: pack_groups<4>(codes, groups, out); break;
        case 5: pack_groups<5>(codes, groups, out); break;
        case 6: pack_groups<6>(codes, groups, out); break;
        case 7: pack_groups<7>(codes, groups, out); break;
        case 8: pack_groups<8>(codes, groups, out); break;
        default: throw std::invalid_argument("code bits out of range [1, 8]");  // callers pass code_bits(levels)
    }
    uint64_t pending = 0;  // the last count mod 8 codes: bits not yet written, lowest first
    int held = 0;
    out += groups * bits;
    for (int64_t i = groups * 8; i < count; i++) {
        pending |= (uint64_t)codes[i] << held;
        held += bits;
        for (; held >= 8; held -= 8, pending >>= 8) *out++ = (uint8_t)pending;
    }
    if (held > 0) *out = (uint8_t)pending;
}

void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes) {
    int64_t groups = count / 8;
    switch (bits) {
        case 1: unpack_groups<1>(in, groups, codes); break;
        case 2: unpack_groups<2>(in, groups, codes); break;
        case 3: unpack_groups<3>(in, groups, codes); break;
        case 4: unpack_groups<4>(in, groups, codes); break;
        case 5: unpack_groups<5>(in, groups, codes); break;
        case 6: unpack_groups<6>(in, groups, codes); break;
        case 7: unpack_groups<7>(in, groups, codes); break;
        case 8: unpack_groups<8>(in, groups, codes); break;
        default: throw std::invalid_argument("code bits out of range [1, 8]");  // callers pass code_bits(levels)
    }
    const uint64_t mask = (1u << bits) - 1;
    uint64_t pending = 0;
    int held = 0;
    in += groups * bits;
    for (int64_t i = groups * 8; i < count; i++) {
        if (held < bits) {
            pending |= (uint64_t)*in++ << held;
            held += 8;
        }
        codes[i] = (uint8_t)(pending & mask);
        pending >>= bits;
        held -= bits;
    }
}

}  // namespace scalar

namespace {

constexpr uint32_t CASTAGNOLI = 0x82F63B78u;  // the polynomial, bit-reflected

struct CrcTable {
    uint32_t entry[256];
    CrcTable() {
        for (uint32_t b = 0; b < 256; b++) {
            uint32_t c = b;
            for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ CASTAGNOLI : c >> 1;
            entry[b] = c;
        }
    }
};

const CrcTable crc_table;

// a * b modulo the polynomial, both bit-reflected (bit 31 is x^0).
uint32_t multiply_mod(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
        if (a & m) product ^= b;
        b = b & 1 ? (b >> 1) ^ CASTAGNOLI : b >> 1;  // b * x
    }
    return product;
}

// x^(8 * bytes) modulo the polynomial, by squaring.
uint32_t shift_of(uint64_t bytes) {
    uint32_t result = 1u << 31;  // x^0
    uint32_t square = 1u << 23;  // x^8
    for (; bytes != 0; bytes >>= 1) {
        if (bytes & 1) result = multiply_mod(result, square);
        square = multiply_mod(square, square);
    }
    return result;
}

}  // namespace

namespace scalar {

uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = crc_table.entry[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

}  // namespace scalar

// CRC(a || b) = CRC(a) * x^(8|b|) + CRC(b): the initial and final inversions cancel out.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
    return multiply_mod(crc_a, shift_of(length_b)) ^ crc_b;
}

}  // namespace gq
