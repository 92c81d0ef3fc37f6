// AVX-512 versions of the hottest whole-bucket loops (Philox, scan, standard, exponential and
// smart codes, code lookups, the Hadamard transform and sign flips; code packing with BMI2): twice
// the lanes of the AVX2 ones. Each
// output float is the scalar path's, bit for bit: the same per-lane IEEE operations, rearranged
// only where the result is provably equal (said where it happens). Compiled for AVX-512 only here
// and called only when the processor has AVX-512 F, DQ and VL.
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the unused merge source, which
// -Wmaybe-uninitialized and -Wuninitialized report as false positives.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#include <string.h>

#include "gq_philox.cuh"
#include "gq_vector.h"

#define GQ_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

namespace gq {
namespace avx512 {
namespace {

// 32x32 -> 64-bit products of the sixteen lanes of a with the constant m: high and low halves.
// Even lanes multiply in place; odd lanes are swapped down first; each half is then one masked
// swap of the two products (a product's low word sits in its even lane, its high word above it).
GQ_AVX512 inline void mul_hi_lo(__m512i a, __m512i m, __m512i* hi, __m512i* lo) {
    __m512i even = _mm512_mul_epu32(a, m);
    __m512i odd = _mm512_mul_epu32(_mm512_shuffle_epi32(a, _MM_PERM_CDAB), m);
    *lo = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
    *hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
}

// a ^ b ^ c in one instruction.
GQ_AVX512 inline __m512i xor3(__m512i a, __m512i b, __m512i c) {
    return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}

// The four counter words of sixteen consecutive blocks first .. first+15.
struct Counters {
    __m512i x0, x1, x2, x3;
};

GQ_AVX512 inline Counters counters(uint64_t first, uint32_t c2, uint32_t c3) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i low = _mm512_add_epi32(_mm512_set1_epi32((int)(uint32_t)first), lane);
    // a lane whose low word wrapped past 2^32 carries one into its high word
    __mmask16 carry = _mm512_cmplt_epu32_mask(low, lane);
    __m512i high = _mm512_mask_add_epi32(_mm512_set1_epi32((int)(uint32_t)(first >> 32)), carry,
                                         _mm512_set1_epi32((int)(uint32_t)(first >> 32)), _mm512_set1_epi32(1));
    return {low, high, _mm512_set1_epi32((int)c2), _mm512_set1_epi32((int)c3)};
}

// Ten Philox rounds of two independent groups of sixteen blocks, interleaved so that one group's
// multiplications fill the other's latency.
GQ_AVX512 inline void philox_rounds(Counters* a, Counters* b, uint64_t seed) {
    const __m512i m0 = _mm512_set1_epi32((int)0xD2511F53u);
    const __m512i m1 = _mm512_set1_epi32((int)0xCD9E8D57u);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const __m512i key0 = _mm512_set1_epi32((int)k0), key1 = _mm512_set1_epi32((int)k1);
        Counters* groups[2] = {a, b};
        for (Counters* c : groups) {
            __m512i hi0, lo0, hi1, lo1;
            mul_hi_lo(c->x0, m0, &hi0, &lo0);
            mul_hi_lo(c->x2, m1, &hi1, &lo1);
            *c = {xor3(hi1, c->x1, key0), lo1, xor3(hi0, c->x3, key1), lo0};
        }
    }
}

// The words of sixteen blocks in element order: out[k] holds words 16k .. 16k+15, word j of
// block l being word 4l + j.
GQ_AVX512 inline void block_order(const Counters& c, __m512i* out) {
    // transpose 4 x 16 words; each 128-bit chunk k of r_j holds block 4k + j
    __m512i a = _mm512_unpacklo_epi32(c.x0, c.x1);
    __m512i b = _mm512_unpackhi_epi32(c.x0, c.x1);
    __m512i cc = _mm512_unpacklo_epi32(c.x2, c.x3);
    __m512i d = _mm512_unpackhi_epi32(c.x2, c.x3);
    __m512i r0 = _mm512_unpacklo_epi64(a, cc);
    __m512i r1 = _mm512_unpackhi_epi64(a, cc);
    __m512i r2 = _mm512_unpacklo_epi64(b, d);
    __m512i r3 = _mm512_unpackhi_epi64(b, d);
    __m512i t0 = _mm512_shuffle_i32x4(r0, r1, 0x44);  // r0.c0 r0.c1 r1.c0 r1.c1
    __m512i t1 = _mm512_shuffle_i32x4(r2, r3, 0x44);
    __m512i t2 = _mm512_shuffle_i32x4(r0, r1, 0xEE);  // r0.c2 r0.c3 r1.c2 r1.c3
    __m512i t3 = _mm512_shuffle_i32x4(r2, r3, 0xEE);
    out[0] = _mm512_shuffle_i32x4(t0, t1, 0x88);  // blocks 0-3
    out[1] = _mm512_shuffle_i32x4(t0, t1, 0xDD);  // blocks 4-7
    out[2] = _mm512_shuffle_i32x4(t2, t3, 0x88);  // blocks 8-11
    out[3] = _mm512_shuffle_i32x4(t2, t3, 0xDD);  // blocks 12-15
}

// Philox4x32-10 of the 32 consecutive blocks from `block`, in block order into out[0..128).
GQ_AVX512 inline void philox_32_blocks(uint64_t seed, uint32_t c2, uint32_t c3, uint64_t block, uint32_t* out) {
    Counters a = counters(block, c2, c3), b = counters(block + 16, c2, c3);
    philox_rounds(&a, &b, seed);
    __m512i words[8];
    block_order(a, words);
    block_order(b, words + 4);
    for (int k = 0; k < 8; k++) _mm512_storeu_si512(out + 16 * k, words[k]);
}

}  // namespace

GQ_AVX512 BucketScan scan_bucket(const float* x, int n, SumOrder order) {
    __m512 vmin = _mm512_set1_ps(INFINITY), vmax = _mm512_set1_ps(-INFINITY);
    __mmask16 nonfinite = 0;
    // canonical: both halves go through one chain of additions, lane j taking elements i+j, then
    // i+8+j, as lane_sum_squares orders them; any: one chain per half, twice the throughput
    __m512d squares = _mm512_setzero_pd(), squares_high = _mm512_setzero_pd();
    const bool canonical = order == SUM_CANONICAL;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        vmin = _mm512_min_ps(vmin, v);
        vmax = _mm512_max_ps(vmax, v);
        nonfinite |= _mm512_fpclass_ps_mask(v, 0x99);  // NaN or infinity
        __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
        __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
        squares = _mm512_add_pd(squares, _mm512_mul_pd(lo, lo));
        if (canonical) {
            squares = _mm512_add_pd(squares, _mm512_mul_pd(hi, hi));
        } else {
            squares_high = _mm512_add_pd(squares_high, _mm512_mul_pd(hi, hi));
        }
    }
    alignas(64) double lane[8];
    _mm512_store_pd(lane, _mm512_add_pd(squares, squares_high));
    BucketScan s = {_mm512_reduce_min_ps(vmin), _mm512_reduce_max_ps(vmax), 0.0, 0.0, nonfinite == 0};
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
    for (; i + 128 <= n; i += 128) philox_32_blocks(seed, c2, c3, (first + (uint64_t)i) >> 2, out + i);
    scalar::fill_random_words(seed, step, purpose, first + (uint64_t)i, n - i, out + i);
}

namespace {

// uniform_from_bits of eight words.
GQ_AVX512 inline __m512d uniform8(const uint32_t* words) {
    __m256i w = _mm256_srli_epi32(_mm256_loadu_si256((const __m256i*)words), 8);
    return _mm512_mul_pd(_mm512_cvtepi32_pd(w), _mm512_set1_pd(1.0 / 16777216.0));
}

// Sum of the eight lanes of a statistic (any fixed order will do).
GQ_AVX512 inline double lanes_sum(__m512d v) {
    alignas(64) double lane[8];
    _mm512_store_pd(lane, v);
    return lane_sum_squares_combine(lane);
}

// Floor of t = (x - min) / unit for eight elements, whether each goes one level up, and t's
// fraction.
struct Rounded {
    __m256i below;
    __mmask8 up;
    __m512d frac;
};

GQ_AVX512 inline Rounded standard_decide(const StandardParams& p, const float* x, const uint32_t* words) {
    const __m512d t = _mm512_mul_pd(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x)), _mm512_set1_pd((double)p.min)),
                                    _mm512_set1_pd(p.inverse_unit));
    const __m512d below = _mm512_roundscale_pd(t, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512d frac = _mm512_sub_pd(t, below);
    return {_mm512_cvttpd_epi32(below), _mm512_cmp_pd_mask(uniform8(words), frac, _CMP_LT_OQ), frac};
}

// Adds frac * (1 - frac) to sum; the caller scales by unit^2 once (a statistic: any rounding).
GQ_AVX512 inline __m512d add_spread(__m512d sum, __m512d frac) {
    return _mm512_fmadd_pd(frac, _mm512_sub_pd(_mm512_set1_pd(1.0), frac), sum);
}

}  // namespace

GQ_AVX512 double standard_index_all(const StandardParams& p, const float* x, int n, const uint32_t* words, uint8_t* codes) {
    const __m512i top = _mm512_set1_epi32((int)p.intervals), one = _mm512_set1_epi32(1);
    __m512d spread0 = _mm512_setzero_pd(), spread1 = _mm512_setzero_pd();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        Rounded a = standard_decide(p, x + i, words + i);
        Rounded b = standard_decide(p, x + i + 8, words + i + 8);
        spread0 = add_spread(spread0, a.frac);
        spread1 = add_spread(spread1, b.frac);
        __m512i k = _mm512_inserti64x4(_mm512_castsi256_si512(a.below), b.below, 1);
        k = _mm512_min_epi32(_mm512_mask_add_epi32(k, (__mmask16)(a.up | (unsigned)b.up << 8), k, one), top);
        _mm_storeu_si128((__m128i*)(codes + i), _mm512_cvtepi32_epi8(k));
    }
    double tail = scalar::standard_index_all(p, x + i, n - i, words + i, codes + i);
    return p.unit * p.unit * lanes_sum(_mm512_add_pd(spread0, spread1)) + tail;
}

// One division per element: the reference divides by the gap between the neighbouring points,
// but that gap is a power of two 2^e, so multiplying by 2^-e (built from the exponent bits) gives
// the same double exactly.
GQ_AVX512 double exponential_index_all(const ExponentialParams& p, const float* x, int n, const uint32_t* words,
                                       uint8_t* codes) {
    const __m512d norm = _mm512_set1_pd(p.norm), smallest = _mm512_set1_pd(p.smallest);
    const __m512i exponent = _mm512_set1_epi64((long long)0xfff0000000000000ull);
    const __m512i reciprocal_bias = _mm512_set1_epi64(0x7fe0000000000000ll);  // 2^-e = bias - bits(2^e)
    // a point 2^e has code e - (top - powers): its biased exponent minus this
    const __m512i exponent_bias = _mm512_set1_epi64(1023 + p.top - p.powers);
    const __m128i sign_shift = _mm_cvtsi32_si128(p.sign_shift);
    __m512d variance = _mm512_setzero_pd();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xf = _mm256_loadu_ps(x + i);
        __m512d ratio = _mm512_div_pd(_mm512_abs_pd(_mm512_cvtps_pd(xf)), norm);
        __mmask8 big = _mm512_cmp_pd_mask(ratio, smallest, _CMP_GE_OQ);
        __m512d pow2 = _mm512_castsi512_pd(_mm512_and_si512(_mm512_castpd_si512(ratio), exponent));
        __m512d below = _mm512_maskz_mov_pd(big, pow2);
        __m512d gap = _mm512_mask_blend_pd(big, smallest, pow2);
        __m512d above = _mm512_add_pd(below, gap);
        __m512d inverse_gap = _mm512_castsi512_pd(_mm512_sub_epi64(reciprocal_bias, _mm512_castpd_si512(gap)));
        __m512d offset = _mm512_sub_pd(ratio, below);
        // where ratio == below: up = 0, so the level stays below, and the variance term is 0
        __mmask8 rises = _mm512_cmp_pd_mask(uniform8(words + i), _mm512_mul_pd(offset, inverse_gap), _CMP_LT_OQ);
        __m512d level = _mm512_mask_blend_pd(rises, below, above);
        variance = _mm512_fmadd_pd(offset, _mm512_sub_pd(above, ratio), variance);  // a statistic: any rounding
        __mmask8 nonzero = big | rises;  // level is below = 2^e (big) or above (rises), else 0
        __m512i m = _mm512_maskz_sub_epi64(nonzero, _mm512_srli_epi64(_mm512_castpd_si512(level), 52), exponent_bias);
        __m512i sign = _mm512_cvtepu32_epi64(_mm256_srli_epi32(_mm256_castps_si256(xf), 31));
        __m128i code = _mm512_cvtepi64_epi8(_mm512_or_si512(m, _mm512_sll_epi64(sign, sign_shift)));
        _mm_storel_epi64((__m128i*)(codes + i), code);
    }
    return lanes_sum(variance) + scalar::exponential_index_all(p, x + i, n - i, words + i, codes + i);
}

namespace {

// One butterfly stage between lanes i and i ^ h of sixteen floats: the lane with bit h clear
// takes a + b, its partner a - b, each computed as the scalar butterfly computes it.
template <int H>
GQ_AVX512 inline __m512 lane_stage(__m512 v) {
    __m512 partner;
    if (H == 1) partner = _mm512_permute_ps(v, 0xB1);
    if (H == 2) partner = _mm512_permute_ps(v, 0x4E);
    if (H == 4) partner = _mm512_shuffle_f32x4(v, v, 0xB1);
    if (H == 8) partner = _mm512_shuffle_f32x4(v, v, 0x4E);
    constexpr __mmask16 high = H == 1 ? 0xAAAA : H == 2 ? 0xCCCC : H == 4 ? 0xF0F0 : 0xFF00;
    return _mm512_mask_blend_ps(high, _mm512_add_ps(v, partner), _mm512_sub_ps(partner, v));
}

// The stages 1 .. 8 * REGS of the 16 * REGS floats at y, in registers; scaled if they are the last.
template <int REGS>
GQ_AVX512 inline void register_stages(float* y, bool last, __m512 scale) {
    __m512 v[REGS];
    for (int r = 0; r < REGS; r++) {
        v[r] = lane_stage<8>(lane_stage<4>(lane_stage<2>(lane_stage<1>(_mm512_loadu_ps(y + 16 * r)))));
    }
    for (int h = 1; h < REGS; h <<= 1) {
        for (int r = 0; r < REGS; r++) {
            if (r & h) continue;
            __m512 a = v[r], b = v[r + h];
            v[r] = _mm512_add_ps(a, b);
            v[r + h] = _mm512_sub_ps(a, b);
        }
    }
    for (int r = 0; r < REGS; r++) _mm512_storeu_ps(y + 16 * r, last ? _mm512_mul_ps(v[r], scale) : v[r]);
}

// Butterflies between a and b; scaled if this is the last stage.
GQ_AVX512 inline void butterfly16(__m512* a, __m512* b, bool last, __m512 scale) {
    __m512 sum = _mm512_add_ps(*a, *b), difference = _mm512_sub_ps(*a, *b);
    *a = last ? _mm512_mul_ps(sum, scale) : sum;
    *b = last ? _mm512_mul_ps(difference, scale) : difference;
}

}  // namespace

// The stages up to 64 apart run in registers, 128 floats at a time; the later ones in passes
// over memory, two stages per pass where they can. Stage order per element is the scalar one,
// so the floats are identical.
GQ_AVX512 void hadamard_transform(float* y, int64_t size) {
    const __m512 scale = _mm512_set1_ps(hadamard_scale(size));
    const int64_t block = size < 128 ? size : 128;
    for (int64_t s = 0; s < size; s += block) {
        const bool last = block == size;
        switch (block) {
            case 16: register_stages<1>(y + s, last, scale); break;
            case 32: register_stages<2>(y + s, last, scale); break;
            case 64: register_stages<4>(y + s, last, scale); break;
            default: register_stages<8>(y + s, last, scale); break;
        }
    }
    for (int64_t half = block; half < size;) {
        const bool pair = 4 * half <= size;
        const int64_t span = pair ? 4 * half : 2 * half;
        const bool last = span == size;
        for (int64_t s = 0; s < size; s += span) {
            for (int64_t i = s; i < s + half; i += 16) {
                __m512 a = _mm512_loadu_ps(y + i), b = _mm512_loadu_ps(y + i + half);
                if (pair) {
                    __m512 c = _mm512_loadu_ps(y + i + 2 * half), d = _mm512_loadu_ps(y + i + 3 * half);
                    butterfly16(&a, &b, false, scale);
                    butterfly16(&c, &d, false, scale);
                    butterfly16(&a, &c, last, scale);
                    butterfly16(&b, &d, last, scale);
                    _mm512_storeu_ps(y + i + 2 * half, c);
                    _mm512_storeu_ps(y + i + 3 * half, d);
                } else {
                    butterfly16(&a, &b, last, scale);
                }
                _mm512_storeu_ps(y + i, a);
                _mm512_storeu_ps(y + i + half, b);
            }
        }
        half = span;
    }
}

GQ_AVX512 void flip_signs(const uint32_t* words, int offset, const float* in, float* out, int n) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        int bit = offset + i, k = bit >> 5, b = bit & 31;
        // lanes with b + lane < 32 take word k, the others word k + 1 (read only when needed)
        __m512i w = _mm512_set1_epi32((int)words[k]);
        if (b > 16) w = _mm512_mask_mov_epi32(w, (__mmask16)(0xFFFFu << (32 - b)), _mm512_set1_epi32((int)words[k + 1]));
        __m512i shift = _mm512_and_si512(_mm512_add_epi32(_mm512_set1_epi32(b), lane), _mm512_set1_epi32(31));
        __m512i sign = _mm512_slli_epi32(_mm512_srlv_epi32(w, shift), 31);
        _mm512_storeu_si512(out + i, _mm512_xor_si512(_mm512_loadu_si512(in + i), sign));
    }
    scalar::flip_signs(words, offset + i, in + i, out + i, n - i);
}

GQ_AVX512 double points_index_all(const float* points, int count, const float* x, int n, const uint32_t* words,
                                  uint8_t* codes) {
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
        __mmask16 rises = 0;
        for (int h = 0; h < 2; h++) {
            __m256 vh = h == 0 ? _mm512_castps512_ps256(v) : _mm512_extractf32x8_ps(v, 1);
            __m256 lh = h == 0 ? _mm512_castps512_ps256(l) : _mm512_extractf32x8_ps(l, 1);
            __m256 rh = h == 0 ? _mm512_castps512_ps256(r) : _mm512_extractf32x8_ps(r, 1);
            __m512d xd = _mm512_cvtps_pd(vh), ld = _mm512_cvtps_pd(lh), rd = _mm512_cvtps_pd(rh);
            __m512d offset = _mm512_sub_pd(xd, ld);
            __m512d up = _mm512_div_pd(offset, _mm512_sub_pd(rd, ld));
            __m512d u = _mm512_mul_pd(_mm512_cvtepi32_pd(h == 0 ? w : w2), scale);
            __mmask8 on_point = _mm512_cmp_pd_mask(xd, ld, _CMP_EQ_OQ);  // stays on its point
            __mmask8 half_rises = _mm512_cmp_pd_mask(u, up, _CMP_LT_OQ) & (__mmask8)~on_point;
            __m512d term = _mm512_mul_pd(offset, _mm512_sub_pd(rd, xd));
            variance = _mm512_mask_add_pd(variance, (__mmask8)~on_point, variance, term);
            rises |= (__mmask16)((unsigned)half_rises << (8 * h));
        }
        __m512i index = _mm512_mask_add_epi32(below, rises, below, one);
        _mm_storeu_si128((__m128i*)(codes + i), _mm512_cvtepi32_epi8(index));
    }
    alignas(64) double lane[8];
    _mm512_store_pd(lane, variance);
    return lane_sum_squares_combine(lane) + scalar::points_index_all(points, count, x + i, n - i, words + i, codes + i);
}

namespace {

// Sixteen table entries by the codes at codes[0..16).
GQ_AVX512 inline __m512 lookup16(const float* table, int entries, const uint8_t* codes) {
    __m512i k = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i*)codes));
    if (entries <= 16) return _mm512_permutexvar_ps(k, _mm512_load_ps(table));
    if (entries <= 32) return _mm512_permutex2var_ps(_mm512_load_ps(table), k, _mm512_load_ps(table + 16));
    return _mm512_i32gather_ps(k, table, 4);
}

}  // namespace

GQ_AVX512 void lookup_all(const float* table, int entries, const uint8_t* codes, int64_t n, float* out) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, lookup16(table, entries, codes + i));
    scalar::lookup_all(table, codes + i, n - i, out + i);
}

GQ_AVX512 void lookup_add_all(const float* table, int entries, const uint8_t* codes, int64_t n, float weight, float* out) {
    const __m512 w = _mm512_set1_ps(weight);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 q = lookup16(table, entries, codes + i);
        _mm512_storeu_ps(out + i, _mm512_add_ps(_mm512_loadu_ps(out + i), _mm512_mul_ps(w, q)));
    }
    scalar::lookup_add_all(table, codes + i, n - i, weight, out + i);
}

namespace {

// The low `bits` bits of each of eight bytes.
inline uint64_t code_mask(int bits) { return 0x0101010101010101ull * ((1u << bits) - 1); }

}  // namespace

// Eight codes are one 64-bit word with code i in byte i; pext gathers their low bits, in order,
// into the low 8 * bits bits: exactly the packed bytes of those eight codes.
__attribute__((target("bmi2"))) void pack_codes(const uint8_t* codes, int64_t count, int bits, uint8_t* out) {
    if (bits == 8) return (void)memcpy(out, codes, (size_t)count);
    const uint64_t mask = code_mask(bits);
    const int64_t groups = count / 8, total = (count * bits + 7) / 8;
    int64_t g = 0;
    for (; g < groups && g * bits + 8 <= total; g++) {  // whole-word stores while they stay inside
        uint64_t word;
        memcpy(&word, codes + 8 * g, 8);
        uint64_t packed = _pext_u64(word, mask);
        memcpy(out + g * bits, &packed, 8);  // the bytes past bits are rewritten by the next group
    }
    scalar::pack_codes(codes + 8 * g, count - 8 * g, bits, out + g * bits);
}

__attribute__((target("bmi2"))) void unpack_codes(const uint8_t* in, int64_t count, int bits, uint8_t* codes) {
    if (bits == 8) return (void)memcpy(codes, in, (size_t)count);
    const uint64_t mask = code_mask(bits);
    const int64_t groups = count / 8, total = (count * bits + 7) / 8;
    int64_t g = 0;
    for (; g < groups && g * bits + 8 <= total; g++) {  // whole-word loads while they stay inside
        uint64_t packed;
        memcpy(&packed, in + g * bits, 8);
        uint64_t word = _pdep_u64(packed, mask);
        memcpy(codes + 8 * g, &word, 8);
    }
    scalar::unpack_codes(in + g * bits, count - 8 * g, bits, codes + 8 * g);
}

}  // namespace avx512
}  // namespace gq
