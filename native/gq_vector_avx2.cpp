// AVX2 versions of the whole-bucket loops. Each lane performs exactly the IEEE operations of the
// scalar per-element function it replaces (no FMA, same rounding), so outputs are bit-identical;
// compiled for AVX2 only here and called only when the processor has it.
#include <immintrin.h>
#include <string.h>

#include "gq_philox.cuh"
#include "gq_vector.h"

#define GQ_AVX2 __attribute__((target("avx2")))

namespace gq {
namespace avx2 {
namespace {

// 32x32 -> 64-bit products of the eight lanes of a with the constant m: high and low halves.
GQ_AVX2 inline void mul_hi_lo(__m256i a, __m256i m, __m256i* hi, __m256i* lo) {
    __m256i even = _mm256_mul_epu32(a, m);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}

// Philox4x32-10 of eight consecutive blocks; word j of block first+l goes to out[4l + j].
GQ_AVX2 inline void philox_8_blocks(uint64_t seed, uint32_t c2, uint32_t c3, uint64_t first, uint32_t* out) {
    __m256i x0 = _mm256_add_epi32(_mm256_set1_epi32((int)(uint32_t)first), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256i x1 = _mm256_set1_epi32((int)(uint32_t)(first >> 32));
    if ((uint32_t)first > UINT32_MAX - 7) {  // the low words wrap: lanes past the wrap carry one
        alignas(32) uint32_t hi[8];
        for (int l = 0; l < 8; l++) hi[l] = (uint32_t)((first + l) >> 32);
        x1 = _mm256_load_si256((const __m256i*)hi);
    }
    __m256i x2 = _mm256_set1_epi32((int)c2);
    __m256i x3 = _mm256_set1_epi32((int)c3);
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u);
    const __m256i m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        __m256i hi0, lo0, hi1, lo1;
        mul_hi_lo(x0, m0, &hi0, &lo0);
        mul_hi_lo(x2, m1, &hi1, &lo1);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1), _mm256_set1_epi32((int)k0));
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3), _mm256_set1_epi32((int)k1));
        x0 = n0;
        x1 = lo1;
        x2 = n2;
        x3 = lo0;
    }
    // transpose 4 x 8 words into block order
    __m256i a = _mm256_unpacklo_epi32(x0, x1);  // b0w0 b0w1 b1w0 b1w1 | b4.. b5..
    __m256i b = _mm256_unpackhi_epi32(x0, x1);  // b2w0 b2w1 b3w0 b3w1 | b6.. b7..
    __m256i c = _mm256_unpacklo_epi32(x2, x3);
    __m256i d = _mm256_unpackhi_epi32(x2, x3);
    __m256i r0 = _mm256_unpacklo_epi64(a, c);  // block 0 | block 4
    __m256i r1 = _mm256_unpackhi_epi64(a, c);  // block 1 | block 5
    __m256i r2 = _mm256_unpacklo_epi64(b, d);  // block 2 | block 6
    __m256i r3 = _mm256_unpackhi_epi64(b, d);  // block 3 | block 7
    __m256i* o = (__m256i*)out;
    _mm256_storeu_si256(o + 0, _mm256_permute2x128_si256(r0, r1, 0x20));
    _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(r2, r3, 0x20));
    _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(r0, r1, 0x31));
    _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(r2, r3, 0x31));
}

GQ_AVX2 inline __m256d uniform4(const uint32_t* words) {
    __m128i w = _mm_srli_epi32(_mm_loadu_si128((const __m128i*)words), 8);
    return _mm256_mul_pd(_mm256_cvtepi32_pd(w), _mm256_set1_pd(1.0 / 16777216.0));
}

GQ_AVX2 inline double sum4(__m256d v) {
    alignas(32) double lane[4];
    _mm256_store_pd(lane, v);
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

}  // namespace

GQ_AVX2 BucketScan scan_bucket(const float* x, int n) {
    __m256 vmin = _mm256_set1_ps(INFINITY), vmax = _mm256_set1_ps(-INFINITY);
    __m256 nonfinite = _mm256_setzero_ps();
    __m256d sq_lo = _mm256_setzero_pd(), sq_hi = _mm256_setzero_pd();
    const __m256 exponent = _mm256_castsi256_ps(_mm256_set1_epi32(0x7f800000));
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        vmin = _mm256_min_ps(vmin, v);
        vmax = _mm256_max_ps(vmax, v);
        __m256 e = _mm256_and_ps(v, exponent);
        nonfinite = _mm256_or_ps(nonfinite, _mm256_cmp_ps(e, exponent, _CMP_EQ_OQ));
        __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
        __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        sq_lo = _mm256_add_pd(sq_lo, _mm256_mul_pd(lo, lo));
        sq_hi = _mm256_add_pd(sq_hi, _mm256_mul_pd(hi, hi));
    }
    alignas(32) float mins[8], maxs[8];
    alignas(32) double lane[8];
    _mm256_store_ps(mins, vmin);
    _mm256_store_ps(maxs, vmax);
    _mm256_store_pd(lane, sq_lo);
    _mm256_store_pd(lane + 4, sq_hi);
    BucketScan s = {INFINITY, -INFINITY, 0.0, 0.0, _mm256_movemask_ps(nonfinite) == 0};
    for (int l = 0; l < 8 && i > 0; l++) {
        if (mins[l] < s.min) s.min = mins[l];
        if (maxs[l] > s.max) s.max = maxs[l];
    }
    for (; i < n; i++) {  // the tail continues lanes i mod 8 as the scalar order does
        s.finite &= is_finite(x[i]);
        if (x[i] < s.min) s.min = x[i];
        if (x[i] > s.max) s.max = x[i];
        lane[i & 7] += (double)x[i] * (double)x[i];
    }
    s.sum_squares = lane_sum_squares_combine(lane);
    // max |x| is exact in any order; NaN lanes make min/max meaningless, but such buckets are skipped
    s.max_abs = fabs((double)s.min) > fabs((double)s.max) ? fabs((double)s.min) : fabs((double)s.max);
    return s;
}

GQ_AVX2 void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out) {
    uint32_t c2 = (uint32_t)step, c3 = (uint32_t)(step >> 32) ^ (purpose << 24);
    // head: up to the first block boundary, then whole runs of 8 blocks, then the tail
    int64_t head = (int64_t)((4 - (first & 3)) & 3);
    if (head > n) head = n;
    scalar::fill_random_words(seed, step, purpose, first, head, out);
    int64_t i = head;
    for (; i + 32 <= n; i += 32) philox_8_blocks(seed, c2, c3, (first + (uint64_t)i) >> 2, out + i);
    scalar::fill_random_words(seed, step, purpose, first + (uint64_t)i, n - i, out + i);
}

namespace {

// The low bytes of four int32 lanes, to four consecutive codes.
GQ_AVX2 inline void store4_codes(__m128i k, uint8_t* codes) {
    int packed = _mm_cvtsi128_si32(_mm_packus_epi16(_mm_packus_epi32(k, k), k));
    memcpy(codes, &packed, 4);
}

}  // namespace

GQ_AVX2 double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    const __m256d vmin = _mm256_set1_pd((double)p.min), inverse = _mm256_set1_pd(p.inverse_unit);
    const __m256d unit2 = _mm256_set1_pd(p.unit * p.unit);
    const __m256d top = _mm256_set1_pd((double)p.intervals), one = _mm256_set1_pd(1.0);
    __m256d variance = _mm256_setzero_pd();
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        __m256d t = _mm256_mul_pd(_mm256_sub_pd(v, vmin), inverse);
        __m256d below = _mm256_floor_pd(t);
        __m256d frac = _mm256_sub_pd(t, below);
        __m256d up = _mm256_and_pd(_mm256_cmp_pd(uniform4(words + i), frac, _CMP_LT_OQ), one);
        __m256d k = _mm256_min_pd(_mm256_add_pd(below, up), top);
        variance = _mm256_add_pd(variance, _mm256_mul_pd(unit2, _mm256_mul_pd(frac, _mm256_sub_pd(one, frac))));
        store4_codes(_mm256_cvttpd_epi32(k), codes + i);
    }
    double tail = scalar::standard_index_all(p, x + i, n - i, words + i, codes + i);
    return sum4(variance) + tail;
}

GQ_AVX2 double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    const __m256d norm = _mm256_set1_pd(p.norm), smallest = _mm256_set1_pd(p.smallest);
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffll));
    const __m256d pow2_mask = _mm256_castsi256_pd(_mm256_set1_epi64x((long long)0xfff0000000000000ull));
    // a point 2^e has code e - (top - powers): its biased exponent minus this
    const __m256i exponent_bias = _mm256_set1_epi64x(1023 + p.top - p.powers);
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
    __m256d variance = _mm256_setzero_pd();
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 xf = _mm_loadu_ps(x + i);
        __m256d r = _mm256_div_pd(_mm256_and_pd(_mm256_cvtps_pd(xf), abs_mask), norm);
        __m256d big = _mm256_cmp_pd(r, smallest, _CMP_GE_OQ);
        __m256d pow2 = _mm256_and_pd(r, pow2_mask);
        __m256d below = _mm256_and_pd(big, pow2);
        __m256d above = _mm256_blendv_pd(smallest, _mm256_add_pd(pow2, pow2), big);
        __m256d offset = _mm256_sub_pd(r, below);
        // where r == below: up = 0, so the level stays below, and the variance term is 0
        __m256d up = _mm256_div_pd(offset, _mm256_sub_pd(above, below));
        __m256d rises = _mm256_cmp_pd(uniform4(words + i), up, _CMP_LT_OQ);
        __m256d level = _mm256_blendv_pd(below, above, rises);
        variance = _mm256_add_pd(variance, _mm256_mul_pd(offset, _mm256_sub_pd(above, r)));
        __m256i m = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_castpd_si256(level), 52), exponent_bias);
        m = _mm256_andnot_si256(_mm256_castpd_si256(_mm256_cmp_pd(level, _mm256_setzero_pd(), _CMP_EQ_OQ)), m);
        __m128i m32 = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(m, even));
        __m128i sign = _mm_slli_epi32(_mm_srli_epi32(_mm_castps_si128(xf), 31), p.sign_shift);
        store4_codes(_mm_or_si128(m32, sign), codes + i);
    }
    double tail = scalar::exponential_index_all(p, x + i, n - i, words + i, codes + i);
    return sum4(variance) + tail;
}

GQ_AVX2 void lookup_all(const float* table, const uint8_t* codes, int64_t n, float* out) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i k = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)(codes + i)));
        _mm256_storeu_ps(out + i, _mm256_i32gather_ps(table, k, 4));
    }
    scalar::lookup_all(table, codes + i, n - i, out + i);
}

GQ_AVX2 void lookup_add_all(const float* table, const uint8_t* codes, int64_t n, float weight, float* out) {
    const __m256 w = _mm256_set1_ps(weight);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i k = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)(codes + i)));
        __m256 q = _mm256_i32gather_ps(table, k, 4);
        _mm256_storeu_ps(out + i, _mm256_add_ps(_mm256_loadu_ps(out + i), _mm256_mul_ps(w, q)));
    }
    scalar::lookup_add_all(table, codes + i, n - i, weight, out + i);
}

namespace {

// One crc32 instruction takes 3 cycles but a new one can start every cycle: three independent
// streams over thirds of the data keep it busy; crc32c_combine joins them.
__attribute__((target("sse4.2"))) inline uint64_t crc_words(uint64_t c, const uint8_t* p, size_t words) {
    for (size_t i = 0; i < words; i++) {
        uint64_t word;
        memcpy(&word, p + 8 * i, 8);
        c = _mm_crc32_u64(c, word);
    }
    return c;
}

}  // namespace

__attribute__((target("sse4.2"))) uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n) {
    constexpr size_t MIN_STREAM = 4096;  // below this a stream's combine costs more than it saves
    size_t words = n / 8;
    if (words >= 3 * (MIN_STREAM / 8)) {
        size_t third = words / 3;
        const uint8_t *a = p, *b = p + 8 * third, *c = p + 16 * third;
        uint64_t ca = ~crc & 0xffffffffu, cb = 0xffffffffu, cc = 0xffffffffu;
        for (size_t i = 0; i < third; i++) {
            uint64_t wa, wb, wc;
            memcpy(&wa, a + 8 * i, 8);
            memcpy(&wb, b + 8 * i, 8);
            memcpy(&wc, c + 8 * i, 8);
            ca = _mm_crc32_u64(ca, wa);
            cb = _mm_crc32_u64(cb, wb);
            cc = _mm_crc32_u64(cc, wc);
        }
        crc = crc32c_combine(~(uint32_t)ca, ~(uint32_t)cb, 8 * third);
        crc = crc32c_combine(crc, ~(uint32_t)cc, 8 * third);
        p += 24 * third;
        n -= 24 * third;
        words = n / 8;
    }
    uint32_t c32 = (uint32_t)crc_words(~crc & 0xffffffffu, p, words);
    for (size_t i = 8 * words; i < n; i++) c32 = _mm_crc32_u8(c32, p[i]);
    return ~c32;
}

}  // namespace avx2
}  // namespace gq
