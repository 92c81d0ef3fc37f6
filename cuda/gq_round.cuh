// Per-element rounding of every quantizer, and the Walsh-Hadamard butterfly. Each function is the
// operation-for-operation twin of a Java reference kernel (StandardKernel, ExponentialKernel,
// SmartKernel, WalshHadamard in src/main/java/io/gradquant/reference); change both together.
//
// Rounding is split in two, the seam of the wire format (docs/wire-format.md): *_index maps a value
// to its code (a level index, 0 .. 255, as the message stores it) and *_value maps a code back to
// the value; in-place rounding is *_value(*_index(x)), so a decoded message equals in-place
// quantization bit for bit.
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

// The level k in [0, intervals] that x rounds to: the one below it, or the next one up with
// probability equal to x's position inside the interval. Adds (x-l)(r-x) to *variance.
GQ_HD int standard_index(const StandardParams& p, float x, double uniform, double* variance) {
    double t = ((double)x - (double)p.min) * p.inverse_unit;
    double below = floor(t);
    double frac = t - below;
    int64_t k = (int64_t)below;
    if (uniform < frac) k++;
    if (k >= p.intervals) k = p.intervals;
    *variance += p.unit * p.unit * (frac * (1.0 - frac));
    return (int)k;
}

// Level k: min + k*unit, and max itself for k = intervals.
GQ_HD float standard_value(const StandardParams& p, int k) {
    return k == p.intervals ? p.max : (float)((double)p.min + (double)k * p.unit);
}

GQ_HD float standard_round(const StandardParams& p, float x, double uniform, double* variance) {
    return standard_value(p, standard_index(p, x, uniform, variance));
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

// Bits of a code for `levels` levels: the smallest b with 2^b >= levels (1 .. 8).
GQ_HD int code_bits(int levels) {
    int b = 1;
    while ((1 << b) < levels) b++;
    return b;
}

// Unbiased exponent of a positive normal double.
GQ_HD int exponent_of(double v) {
    union { double d; uint64_t u; } c;
    c.d = v;
    return (int)((c.u >> 52) & 0x7ff) - 1023;
}

// 2^e for e in the normal range [-1022, 1023], exactly (as ldexp(1.0, e), without a call).
GQ_HD double pow2(int e) {
    union { double d; uint64_t u; } c;
    c.u = (uint64_t)(e + 1023) << 52;
    return c.d;
}

GQ_HD bool sign_bit(float v) {
    union { float f; uint32_t u; } c;
    c.f = v;
    return (c.u >> 31) != 0;
}

// The points are zero and 2^(top-powers+m) for m = 1 .. powers, times the norm. A code holds the
// sign in bit sign_shift (set for every negative value, -0 included) and m below it (0 for zero).
struct ExponentialParams {
    double norm;
    double smallest;  // smallest nonzero magnitude point, relative to the norm: 2^(top-powers+1)
    int top;          // 2^top is the largest point, relative to the norm
    int powers;       // levels/2 - 1
    int sign_shift;   // code_bits(levels) - 1
};

// The points of a bucket whose norm and top are known (as a message records them).
GQ_HD void exponential_points(double norm, int top, int levels, ExponentialParams* p) {
    p->norm = norm;
    p->top = top;
    p->powers = levels / 2 - 1;
    p->smallest = ldexp(1.0, top - p->powers + 1);
    p->sign_shift = code_bits(levels) - 1;
}

// From the bucket's sum of squares and max |x|. Returns 0 for an all-zero bucket (unchanged),
// -1 when the largest point overflows float32 (unchanged, counted), 1 otherwise.
GQ_HD int exponential_params(double sum_squares, double max_abs, int norm_kind, int levels, ExponentialParams* p) {
    double norm = norm_kind == NORM_L2 ? sqrt(sum_squares) : max_abs;
    if (norm == 0.0) return 0;
    int top = ceil_log2(max_abs / norm);
    if (!is_finite((float)ldexp(norm, top))) return -1;
    exponential_points(norm, top, levels, p);
    return 1;
}

// The code of x: |x|/norm rounded unbiasedly between its neighbouring points, and x's sign. Adds
// (r-l)(h-r), relative to the norm (the caller multiplies the bucket's sum by norm^2), to *variance.
GQ_HD int exponential_index(const ExponentialParams& p, float x, double uniform, double* variance) {
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
    int m = level == 0.0 ? 0 : exponent_of(level) - (p.top - p.powers);
    return (sign_bit(x) ? 1 << p.sign_shift : 0) | m;
}

// The value of a code: (float)(2^(top-powers+m) * norm) (0 for m = 0), negated if the sign bit is set.
GQ_HD float exponential_value(const ExponentialParams& p, int code) {
    int m = code & ((1 << p.sign_shift) - 1);
    float v = (float)((m == 0 ? 0.0 : pow2(p.top - p.powers + m)) * p.norm);
    return code >> p.sign_shift ? -v : v;
}

GQ_HD float exponential_round(const ExponentialParams& p, float x, double uniform, double* variance) {
    return exponential_value(p, exponential_index(p, x, uniform, variance));
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

// The index of the point x rounds to: the point below it, or the one above with probability
// (x-l)/(r-l); a value on a point keeps it (-0 gets the point +0). Adds (x-l)(r-x) to *variance.
GQ_HD int points_index(const float* points, int count, float x, double uniform, double* variance) {
    int below = floor_index(points, count, x);
    float l = points[below];
    if (x == l) return below;  // on a point: exact
    float r = points[below + 1];
    double up = ((double)x - (double)l) / ((double)r - (double)l);
    *variance += ((double)x - (double)l) * ((double)r - (double)x);
    return uniform < up ? below + 1 : below;
}

GQ_HD float points_round(const float* points, int count, float x, double uniform, double* variance) {
    return points[points_index(points, count, x, uniform, variance)];
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
