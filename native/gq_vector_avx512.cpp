// AVX-512 versions of the hottest whole-bucket loops (Philox, scan, standard rounding): twice the
// lanes of the AVX2 ones, with exactly the same per-lane IEEE operations, so outputs stay
// bit-identical to the scalar path. Compiled for AVX-512 only here and called only when the
// processor has AVX-512 F, DQ and VL.
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the unused merge source, which
// -Wmaybe-uninitialized reports as a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "gq_philox.cuh"
#include "gq_vector.h"

#define GQ_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

namespace gq {
namespace avx512 {
namespace {

// 32x32 -> 64-bit products of the sixteen lanes of a with the constant m: high and low halves.
GQ_AVX512 inline void mul_hi_lo(__m512i a, __m512i m, __m512i* hi, __m512i* lo) {
    __m512i even = _mm512_mul_epu32(a, m);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}

// Philox4x32-10 of sixteen consecutive blocks; word j of block first+l goes to out[4l + j].
GQ_AVX512 inline void philox_16_blocks(uint64_t seed, uint32_t c2, uint32_t c3, uint64_t first, uint32_t* out) {
    alignas(64) uint32_t lo[16], hi[16];
    for (int l = 0; l < 16; l++) {
        lo[l] = (uint32_t)(first + l);
        hi[l] = (uint32_t)((first + l) >> 32);
    }
    __m512i x0 = _mm512_load_si512(lo);
    __m512i x1 = _mm512_load_si512(hi);
    __m512i x2 = _mm512_set1_epi32((int)c2);
    __m512i x3 = _mm512_set1_epi32((int)c3);
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u);
    const __m512i m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        __m512i hi0, lo0, hi1, lo1;
        mul_hi_lo(x0, m0, &hi0, &lo0);
        mul_hi_lo(x2, m1, &hi1, &lo1);
        __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(hi1, x1), _mm512_set1_epi32((int)k0));
        __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(hi0, x3), _mm512_set1_epi32((int)k1));
        x0 = n0;
        x1 = lo1;
        x2 = n2;
        x3 = lo0;
    }
    // transpose 4 x 16 words into block order; each 128-bit chunk k of r_j holds block 4k + j
    __m512i a = _mm512_unpacklo_epi32(x0, x1);
    __m512i b = _mm512_unpackhi_epi32(x0, x1);
    __m512i c = _mm512_unpacklo_epi32(x2, x3);
    __m512i d = _mm512_unpackhi_epi32(x2, x3);
    __m512i r0 = _mm512_unpacklo_epi64(a, c);
    __m512i r1 = _mm512_unpackhi_epi64(a, c);
    __m512i r2 = _mm512_unpacklo_epi64(b, d);
    __m512i r3 = _mm512_unpackhi_epi64(b, d);
    __m512i t0 = _mm512_shuffle_i32x4(r0, r1, 0x44);  // r0.c0 r0.c1 r1.c0 r1.c1
    __m512i t1 = _mm512_shuffle_i32x4(r2, r3, 0x44);
    __m512i t2 = _mm512_shuffle_i32x4(r0, r1, 0xEE);  // r0.c2 r0.c3 r1.c2 r1.c3
    __m512i t3 = _mm512_shuffle_i32x4(r2, r3, 0xEE);
    _mm512_storeu_si512(out + 0, _mm512_shuffle_i32x4(t0, t1, 0x88));   // blocks 0-3
    _mm512_storeu_si512(out + 16, _mm512_shuffle_i32x4(t0, t1, 0xDD));  // blocks 4-7
    _mm512_storeu_si512(out + 32, _mm512_shuffle_i32x4(t2, t3, 0x88));  // blocks 8-11
    _mm512_storeu_si512(out + 48, _mm512_shuffle_i32x4(t2, t3, 0xDD));  // blocks 12-15
}

}  // namespace

GQ_AVX512 BucketScan scan_bucket(const float* x, int n) {
    __m512 vmin = _mm512_set1_ps(INFINITY), vmax = _mm512_set1_ps(-INFINITY);
    __mmask16 nonfinite = 0;
    __m512d squares = _mm512_setzero_pd();
    const __m512i exponent = _mm512_set1_epi32(0x7f800000);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        vmin = _mm512_min_ps(vmin, v);
        vmax = _mm512_max_ps(vmax, v);
        __m512i e = _mm512_and_si512(_mm512_castps_si512(v), exponent);
        nonfinite |= _mm512_cmpeq_epi32_mask(e, exponent);
        // lane j takes elements i+j, then i+8+j: the canonical order of lane j
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
        __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
        squares = _mm512_add_pd(squares, _mm512_mul_pd(lo, lo));
        squares = _mm512_add_pd(squares, _mm512_mul_pd(hi, hi));
    }
    alignas(64) double lane[8];
    alignas(64) float mins[16], maxs[16];
    _mm512_store_pd(lane, squares);
    _mm512_store_ps(mins, vmin);
    _mm512_store_ps(maxs, vmax);
    BucketScan s = {INFINITY, -INFINITY, 0.0, 0.0, nonfinite == 0};
    for (int l = 0; l < 16 && i > 0; l++) {
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
    s.max_abs = fabs((double)s.min) > fabs((double)s.max) ? fabs((double)s.min) : fabs((double)s.max);
    return s;
}

GQ_AVX512 void fill_random_words(uint64_t seed, uint64_t step, uint32_t purpose, uint64_t first, int64_t n, uint32_t* out) {
    uint32_t c2 = (uint32_t)step, c3 = (uint32_t)(step >> 32) ^ (purpose << 24);
    int64_t head = (int64_t)((4 - (first & 3)) & 3);
    if (head > n) head = n;
    scalar::fill_random_words(seed, step, purpose, first, head, out);
    int64_t i = head;
    for (; i + 64 <= n; i += 64) philox_16_blocks(seed, c2, c3, (first + (uint64_t)i) >> 2, out + i);
    scalar::fill_random_words(seed, step, purpose, first + (uint64_t)i, n - i, out + i);
}

GQ_AVX512 double standard_round_all(const StandardParams& p, float* x, int n, const uint32_t* words) {
    const __m512d vmin = _mm512_set1_pd((double)p.min), inverse = _mm512_set1_pd(p.inverse_unit);
    const __m512d unit = _mm512_set1_pd(p.unit), unit2 = _mm512_set1_pd(p.unit * p.unit);
    const __m512d top = _mm512_set1_pd((double)p.intervals), one = _mm512_set1_pd(1.0);
    const __m512d scale = _mm512_set1_pd(1.0 / 16777216.0);
    const __m256 vmax = _mm256_set1_ps(p.max);
    __m512d variance = _mm512_setzero_pd();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));
        __m512d t = _mm512_mul_pd(_mm512_sub_pd(v, vmin), inverse);
        __m512d below = _mm512_roundscale_pd(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        __m512d frac = _mm512_sub_pd(t, below);
        __m256i w = _mm256_srli_epi32(_mm256_loadu_si256((const __m256i*)(words + i)), 8);
        __m512d u = _mm512_mul_pd(_mm512_cvtepi32_pd(w), scale);
        __m512d k = _mm512_mask_add_pd(below, _mm512_cmp_pd_mask(u, frac, _CMP_LT_OQ), below, one);
        k = _mm512_min_pd(k, top);
        variance = _mm512_add_pd(variance, _mm512_mul_pd(unit2, _mm512_mul_pd(frac, _mm512_sub_pd(one, frac))));
        __m256 q = _mm512_cvtpd_ps(_mm512_add_pd(vmin, _mm512_mul_pd(k, unit)));
        __mmask8 at_top = _mm512_cmp_pd_mask(k, top, _CMP_EQ_OQ);
        _mm256_storeu_ps(x + i, _mm256_mask_blend_ps(at_top, q, vmax));
    }
    double tail = scalar::standard_round_all(p, x + i, n - i, words + i);
    alignas(64) double lane[8];
    _mm512_store_pd(lane, variance);
    return lane_sum_squares_combine(lane) + tail;  // any fixed order will do for the statistic
}

GQ_AVX512 double points_round_all(const float* points, int count, float* x, int n, const uint32_t* words) {
    alignas(64) float table[16];
    for (int j = 0; j < 16; j++) table[j] = points[j < count ? j : count - 1];
    const __m512 vtable = _mm512_load_ps(table);
    const __m512i one = _mm512_set1_epi32(1);
    const __m512d scale = _mm512_set1_pd(1.0 / 16777216.0);
    __m512d variance = _mm512_setzero_pd();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        // index of the last point <= v = (number of points <= v) - 1, as floor_index finds it
        __m512i below = _mm512_set1_epi32(-1);
        for (int j = 0; j < count; j++) {
            __mmask16 le = _mm512_cmp_ps_mask(_mm512_set1_ps(points[j]), v, _CMP_LE_OQ);
            below = _mm512_mask_add_epi32(below, le, below, one);
        }
        __m512 l = _mm512_permutexvar_ps(below, vtable);
        // the last point has no right neighbour; it is only reached by v == l, which stays
        __m512 r = _mm512_permutexvar_ps(_mm512_min_epi32(_mm512_add_epi32(below, one), _mm512_set1_epi32(count - 1)), vtable);
        __m256i w = _mm256_srli_epi32(_mm256_loadu_si256((const __m256i*)(words + i)), 8);
        __m256i w2 = _mm256_srli_epi32(_mm256_loadu_si256((const __m256i*)(words + i + 8)), 8);
        __m256 out_half[2];
        for (int h = 0; h < 2; h++) {
            __m256 vh = h == 0 ? _mm512_castps512_ps256(v) : _mm512_extractf32x8_ps(v, 1);
            __m256 lh = h == 0 ? _mm512_castps512_ps256(l) : _mm512_extractf32x8_ps(l, 1);
            __m256 rh = h == 0 ? _mm512_castps512_ps256(r) : _mm512_extractf32x8_ps(r, 1);
            __m512d xd = _mm512_cvtps_pd(vh), ld = _mm512_cvtps_pd(lh), rd = _mm512_cvtps_pd(rh);
            __m512d offset = _mm512_sub_pd(xd, ld);
            __m512d up = _mm512_div_pd(offset, _mm512_sub_pd(rd, ld));
            __m512d u = _mm512_mul_pd(_mm512_cvtepi32_pd(h == 0 ? w : w2), scale);
            __mmask8 on_point = _mm512_cmp_pd_mask(xd, ld, _CMP_EQ_OQ);
            __mmask8 rises = _mm512_cmp_pd_mask(u, up, _CMP_LT_OQ) & (__mmask8)~on_point;
            __m512d term = _mm512_mul_pd(offset, _mm512_sub_pd(rd, xd));
            variance = _mm512_mask_add_pd(variance, (__mmask8)~on_point, variance, term);
            __m256 q = _mm256_mask_blend_ps(rises, lh, rh);
            out_half[h] = _mm256_mask_blend_ps(on_point, q, vh);
        }
        _mm256_storeu_ps(x + i, out_half[0]);
        _mm256_storeu_ps(x + i + 8, out_half[1]);
    }
    alignas(64) double lane[8];
    _mm512_store_pd(lane, variance);
    return lane_sum_squares_combine(lane) + scalar::points_round_all(points, count, x + i, n - i, words + i);
}

}  // namespace avx512
}  // namespace gq
