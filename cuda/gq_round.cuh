// Per-element rounding of every quantizer, and the Walsh-Hadamard butterfly. Each function is the
// operation-for-operation twin of a Java reference kernel (StandardKernel, ExponentialKernel,
// SmartKernel, WalshHadamard in src/main/java/io/gradquant/reference); change both together.
#pragma once
#include <math.h>
#include "gq_common.cuh"

namespace gq {

// ---- standard: levels-1 equal intervals from min to max -------------------------------------

struct StandardParams {
    float min, max;      // canonical: -0 replaced by +0
    double unit;         // (max - min) / intervals
    double inverse_unit;
    int64_t intervals;
};

// False for a constant bucket, which is left unchanged.
GQ_HD bool standard_params(float min, float max, int levels, StandardParams* p) {
    min += 0.0f;  // -0 and +0 compare equal; make the reduction's pick order-independent
    max += 0.0f;
    if (!(max > min)) return false;
    p->min = min;
    p->max = max;
    p->intervals = levels - 1;
    p->unit = ((double)max - (double)min) / (double)p->intervals;
    p->inverse_unit = 1.0 / p->unit;
    return true;
}

// Rounds x to min + k*unit (k = intervals gives max itself), up with probability equal to its
// position inside the interval; adds (x-l)(r-x) to *variance.
GQ_HD float standard_round(const StandardParams& p, float x, double uniform, double* variance) {
    double t = ((double)x - (double)p.min) * p.inverse_unit;
    double below = floor(t);
    double frac = t - below;
    int64_t k = (int64_t)below;
    if (uniform < frac) k++;
    if (k >= p.intervals) k = p.intervals;
    *variance += p.unit * p.unit * (frac * (1.0 - frac));
    return k == p.intervals ? p.max : (float)((double)p.min + (double)k * p.unit);
}

// ---- exponential: zero and levels/2-1 powers of two, times the bucket norm -------------------

// Sum of x^2 over a bucket in the canonical order every backend uses, so that the L2 norm, and
// with it every exponential point, is bit-identical: eight lanes, lane j summing the elements
// i = j mod 8 in order, then ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). (Eight lanes let the CPU
// backend sum with two 4-wide vectors; the Java twin is SumOfSquares.)
GQ_HD double lane_sum_squares_combine(const double* lane) {
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

GQ_HD double lane_sum_squares(const float* x, int64_t n) {
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t i = 0; i < n; i++) lane[i & 7] += (double)x[i] * (double)x[i];
    return lane_sum_squares_combine(lane);
}

// Largest power of two <= v, for a positive normal double: the exponent bits alone.
GQ_HD double floor_pow2(double v) {
    union { double d; uint64_t u; } c;
    c.d = v;
    c.u &= 0xfff0000000000000ull;
    return c.d;
}

// Smallest e with 2^e >= v, for a positive normal double.
GQ_HD int ceil_log2(double v) {
    union { double d; uint64_t u; } c;
    c.d = v;
    int e = (int)((c.u >> 52) & 0x7ff) - 1023;
    return (c.u & 0x000fffffffffffffull) != 0 ? e + 1 : e;
}

struct ExponentialParams {
    double norm;
    double smallest;  // smallest nonzero magnitude point, relative to the norm
};

// From the bucket's sum of squares and max |x|. Returns 0 for an all-zero bucket (unchanged),
// -1 when the largest point overflows float32 (unchanged, counted), 1 otherwise.
GQ_HD int exponential_params(double sum_squares, double max_abs, int norm_kind, int levels, ExponentialParams* p) {
    double norm = norm_kind == NORM_L2 ? sqrt(sum_squares) : max_abs;
    if (norm == 0.0) return 0;
    int top = ceil_log2(max_abs / norm);
    if (!is_finite((float)ldexp(norm, top))) return -1;
    int powers = levels / 2 - 1;
    p->norm = norm;
    p->smallest = ldexp(1.0, top - powers + 1);
    return 1;
}

// Rounds |x|/norm between neighbouring points, unbiasedly; adds (r-l)(h-r), relative to the norm
// (the caller multiplies the bucket's sum by norm^2), to *variance.
GQ_HD float exponential_round(const ExponentialParams& p, float x, double uniform, double* variance) {
    double r = fabs((double)x) / p.norm;
    double below, above;
    if (r >= p.smallest) {
        below = floor_pow2(r);
        above = 2.0 * below;
    } else {
        below = 0.0;
        above = p.smallest;
    }
    double level = below;
    if (r != below) {
        double up = (r - below) / (above - below);
        if (uniform < up) level = above;
        *variance += (r - below) * (above - r);
    }
    return copysignf((float)(level * p.norm), x);
}

// ---- smart: rounding between arbitrary sorted points -----------------------------------------

// Index of the last point <= v, for ascending distinct points with points[0] <= v. Branch-free
// (a fixed number of steps for a given count), so it neither mispredicts on the CPU nor diverges
// on the GPU. Invariant: points[lo] <= v and the answer lies in [lo, lo + n).
GQ_HD int floor_index(const float* points, int count, float v) {
    int lo = 0;
    for (int n = count; n > 1;) {
        int half = n >> 1;
        lo = points[lo + half] <= v ? lo + half : lo;
        n -= half;
    }
    return lo;
}

GQ_HD float points_round(const float* points, int count, float x, double uniform, double* variance) {
    int below = floor_index(points, count, x);
    float l = points[below];
    if (x == l) return l;  // on a point: the point itself (-0 on the point 0 gives +0, as a message decodes it)
    float r = points[below + 1];
    double up = ((double)x - (double)l) / ((double)r - (double)l);
    *variance += ((double)x - (double)l) * ((double)r - (double)x);
    return uniform < up ? r : l;
}

// ---- hadamard ------------------------------------------------------------------------------

GQ_HD void butterfly(float* a, float* b) {
    float s = *a + *b;
    float d = *a - *b;
    *a = s;
    *b = d;
}

// 1/sqrt(size) as float, the orthonormal scale applied after the butterflies.
GQ_HD float hadamard_scale(int64_t size) {
    return (float)(1.0 / sqrt((double)size));
}

GQ_HD int64_t padded_size(int64_t n) {
    int64_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

}  // namespace gq
