// AVX-512 loops of the smart quantizer (gq_smart_vector.h).
#include "gq_smart_vector.h"

// As in gq_vector_avx512.cpp: GCC 12's intrinsics pass _mm512_undefined_*() as the unused merge
// source, which -Wmaybe-uninitialized reports.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include <math.h>

#define GQ_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl")))

namespace gq {
namespace avx512 {
namespace {

// ---- sample sort: a bitonic network over vectors of sixteen -----------------------------------

// One compare-exchange stage between lanes lane and lane ^ j of every vector (j < 16): a lane
// keeps the larger value where `upper` says so.
GQ_AVX512 inline __m512 exchange_lanes(__m512 v, __m512i partner, __mmask16 upper) {
    __m512 p = _mm512_permutexvar_ps(partner, v);
    return _mm512_mask_mov_ps(_mm512_min_ps(v, p), upper, _mm512_max_ps(v, p));
}


constexpr int CHUNK = 4;  // vectors of eight rows

struct Rows {
    __m512d y[CHUNK], w0[CHUNK], w1[CHUNK], w2[CHUNK];
    __m512d least[CHUNK];
    __m256i arg[CHUNK];
    __m512i index[CHUNK];  // the rows' list positions
    __mmask8 live[CHUNK];  // rows inside the window
};

}  // namespace

// Pads to sixteen times a power of two with +infinity, which sorts last, and sorts the padded
// array with the bitonic network: block size k doubles from 2, each block merged by stages j =
// k/2 .. 1, element g ascending with its partner g ^ j when g & k is 0. Stages with j >= 16 pair
// whole vectors; the others pair lanes.
GQ_AVX512 void sort_sample(float* x, int n, float* scratch) {
    int size = 16;
    while (size < n) size <<= 1;
    for (int i = 0; i < n; i++) scratch[i] = x[i];
    for (int i = n; i < size; i++) scratch[i] = INFINITY;
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int vectors = size / 16;
    for (int k = 2; k <= size; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            if (j >= 16) {
                int jv = j / 16;
                for (int q = 0; q < vectors; q++) {
                    int p = q ^ jv;
                    if (p < q) continue;
                    __m512 a = _mm512_loadu_ps(scratch + 16 * q), b = _mm512_loadu_ps(scratch + 16 * p);
                    __m512 lo = _mm512_min_ps(a, b), hi = _mm512_max_ps(a, b);
                    bool ascending = ((16 * q) & k) == 0;
                    _mm512_storeu_ps(scratch + 16 * q, ascending ? lo : hi);
                    _mm512_storeu_ps(scratch + 16 * p, ascending ? hi : lo);
                }
            } else {
                __m512i partner = _mm512_xor_si512(lane, _mm512_set1_epi32(j));
                __mmask16 upper = _mm512_test_epi32_mask(lane, _mm512_set1_epi32(j));
                __mmask16 lane_descending = _mm512_test_epi32_mask(lane, _mm512_set1_epi32(k));
                for (int q = 0; q < vectors; q++) {
                    __mmask16 descending = k >= 16 ? (((16 * q) & k) != 0 ? (__mmask16)0xffff : (__mmask16)0) : lane_descending;
                    __m512 v = _mm512_loadu_ps(scratch + 16 * q);
                    _mm512_storeu_ps(scratch + 16 * q, exchange_lanes(v, partner, upper ^ descending));
                }
            }
        }
    }
    for (int i = 0; i < n; i++) x[i] = scratch[i];
}

// "gap(a, t) >= gap(t, b)" is false up to the crossing and true from there on (level_split), so
// the crossing is a + 1 plus the number of t in [a+1, b-2] where it is false: the same index as
// the binary search, without its chain of dependent loads.
GQ_AVX512 int level_split(const LevelPrefix& p, int a, int b) {
    if (b - a < 32) return gq::level_split(p, a, b);
    const __m512d ya = _mm512_set1_pd(p.y[a]), yb = _mm512_set1_pd(p.y[b]);
    const __m512d wa = _mm512_set1_pd(p.w0[a + 1]), wb = _mm512_set1_pd(p.w0[b]);
    int below = 0;
    int t = a + 1;
    for (; t + 8 <= b - 1; t += 8) {
        __m512d y = _mm512_loadu_pd(p.y + t);
        __m512d left = _mm512_mul_pd(_mm512_sub_pd(_mm512_loadu_pd(p.w0 + t), wa), _mm512_sub_pd(y, ya));
        __m512d right = _mm512_mul_pd(_mm512_sub_pd(wb, _mm512_loadu_pd(p.w0 + t + 1)), _mm512_sub_pd(yb, y));
        below += __builtin_popcount(_mm512_cmp_pd_mask(left, right, _CMP_LT_OQ));
    }
    for (; t < b - 1; t++) below += p.gap(a, t) < p.gap(t, b) ? 1 : 0;
    int cross = a + 1 + below;
    return cross > a + 1 && p.gap(cross - 1, b) < p.gap(a, cross) ? cross - 1 : cross;
}

// A layer's rows j are taken 32 at a time, held in four registers of eight with their least
// values and arg mins; the previous layer's positions i run in ascending order and a row takes a
// new value only when it is strictly less, so each row ends with exactly level_rows' least value
// and smallest arg min.
GQ_AVX512 void level_rows(const LevelDp& dp, int k) {
    const double* before = dp.layer[(k - 1) & 1];
    double* here = dp.layer[k & 1];
    int32_t* choice = dp.choice + (int64_t)k * dp.n;
    int i_low = dp.window[2 * (k - 1)], i_high = dp.window[2 * (k - 1) + 1];
    int j_low = dp.window[2 * k], j_high = dp.window[2 * k + 1];
    const double *jy = dp.row(0), *j0 = dp.row(1), *j1 = dp.row(2), *j2 = dp.row(3);
    const double *iy = dp.row(4), *i0 = dp.row(5), *i1 = dp.row(6), *i2 = dp.row(7);
    const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    for (int base = j_low; base <= j_high; base += 8 * CHUNK) {
        Rows r;
        for (int v = 0; v < CHUNK; v++) {
            int j = base + 8 * v;
            int left = j_high - j + 1;
            r.live[v] = left >= 8 ? (__mmask8)0xff : left > 0 ? (__mmask8)((1u << left) - 1) : (__mmask8)0;
            r.y[v] = _mm512_maskz_loadu_pd(r.live[v], jy + j);
            r.w0[v] = _mm512_maskz_loadu_pd(r.live[v], j0 + j);
            r.w1[v] = _mm512_maskz_loadu_pd(r.live[v], j1 + j);
            r.w2[v] = _mm512_maskz_loadu_pd(r.live[v], j2 + j);
            r.least[v] = _mm512_set1_pd(LEVEL_INFINITY);
            r.arg[v] = _mm256_set1_epi32(-1);
            r.index[v] = _mm512_add_epi64(_mm512_set1_epi64(j), lane);
        }
        int last = base + 8 * CHUNK - 1 < j_high ? base + 8 * CHUNK - 1 : j_high;
        int end = last - 1 < i_high ? last - 1 : i_high;  // i < j for some row of the chunk
        for (int i = i_low; i <= end; i++) {
            __m512d b = _mm512_set1_pd(before[i]);
            __m512d yi = _mm512_set1_pd(iy[i]);
            __m512d a0 = _mm512_set1_pd(i0[i]), a1 = _mm512_set1_pd(i1[i]), a2 = _mm512_set1_pd(i2[i]);
            __m512i at = _mm512_set1_epi64(i);
            __m256i at32 = _mm256_set1_epi32(i);
            for (int v = 0; v < CHUNK; v++) {
                __mmask8 rows = _mm512_mask_cmpgt_epi64_mask(r.live[v], r.index[v], at);  // j > i
                if (rows == 0) continue;
                __m512d q0 = _mm512_sub_pd(r.w0[v], a0);
                __m512d q1 = _mm512_sub_pd(r.w1[v], a1);
                __m512d q2 = _mm512_sub_pd(r.w2[v], a2);
                // -q2 + (yi + yj) * q1 - yi * yj * q0, in level_dp_cost's order ((-a) + b == b - a)
                __m512d c = _mm512_sub_pd(_mm512_mul_pd(_mm512_add_pd(yi, r.y[v]), q1), q2);
                c = _mm512_sub_pd(c, _mm512_mul_pd(_mm512_mul_pd(yi, r.y[v]), q0));
                __m512d value = _mm512_add_pd(b, c);
                __mmask8 better = _mm512_mask_cmp_pd_mask(rows, value, r.least[v], _CMP_LT_OQ);
                r.least[v] = _mm512_mask_mov_pd(r.least[v], better, value);
                r.arg[v] = _mm256_mask_mov_epi32(r.arg[v], better, at32);
            }
        }
        for (int v = 0; v < CHUNK; v++) {
            int j = base + 8 * v;
            _mm512_mask_storeu_pd(here + j, r.live[v], r.least[v]);
            _mm256_mask_storeu_epi32(choice + j, r.live[v], r.arg[v]);
        }
    }
}

}  // namespace avx512
}  // namespace gq
