// Variance-optimal level search of the smart quantizer: the operation-for-operation twin of
// io.gradquant.reference.LevelSearch (same prefix sums, same cost expression, same smallest-index
// tie breaking, same divide-and-conquer ranges), so every backend picks the same points.
#pragma once
#include "gq_common.cuh"

namespace gq {

// Caller-owned scratch for a sample of up to m values and up to `levels` points.
struct LevelScratch {
    float* distinct;   // m
    double* weight;    // m
    double* y;         // m
    double* w0;        // m + 1
    double* w1;        // m + 1
    double* w2;        // m + 1
    double* best;      // m
    double* next;      // m
    int32_t* choice;   // levels * m
};

struct LevelPrefix {
    const double *y, *w0, *w1, *w2;

    // Sum over sample values strictly between points i < j of (y - y_i)(y_j - y).
    GQ_HD double cost(int i, int j) const {
        double q0 = w0[j] - w0[i + 1];
        double q1 = w1[j] - w1[i + 1];
        double q2 = w2[j] - w2[i + 1];
        return -q2 + (y[i] + y[j]) * q1 - y[i] * y[j] * q0;
    }
};

// next[j] = min over i in [k-1, j-1] of best[i] + cost(i, j), for j in [k, d-1], by monotone
// divide and conquer with an explicit stack.
GQ_HD void level_layer(const LevelPrefix& prefix, const double* best, double* next, int32_t* choice, int k, int d) {
    int stack[4 * 64];
    int top = 0;
    stack[top++] = k;
    stack[top++] = d - 1;
    stack[top++] = k - 1;
    stack[top++] = d - 2;
    while (top > 0) {
        int opt_high = stack[--top];
        int opt_low = stack[--top];
        int high = stack[--top];
        int low = stack[--top];
        int mid = (int)(((unsigned)low + (unsigned)high) >> 1);
        double least = INFINITY;
        int arg = opt_low;
        int end = mid - 1 < opt_high ? mid - 1 : opt_high;
        for (int i = opt_low; i <= end; i++) {
            double c = best[i] + prefix.cost(i, mid);
            if (c < least) {
                least = c;
                arg = i;
            }
        }
        next[mid] = least;
        choice[mid] = arg;
        if (mid + 1 <= high) {
            stack[top++] = mid + 1;
            stack[top++] = high;
            stack[top++] = arg;
            stack[top++] = opt_high;
        }
        if (low <= mid - 1) {
            stack[top++] = low;
            stack[top++] = mid - 1;
            stack[top++] = opt_low;
            stack[top++] = arg;
        }
    }
}

// Chooses the points for an ascending sample of m >= 1 values (no -0, no NaN). Writes them to
// points (room for `levels`) and returns how many: `levels`, or the number of distinct values if
// that is smaller.
GQ_HD int choose_levels(const float* sorted, int m, int levels, LevelScratch s, float* points) {
    int d = 0;
    for (int i = 0; i < m; i++) {
        if (d > 0 && sorted[i] == s.distinct[d - 1]) {
            s.weight[d - 1] += 1.0;
        } else {
            s.distinct[d] = sorted[i];
            s.weight[d] = 1.0;
            d++;
        }
    }
    if (d <= levels) {
        for (int i = 0; i < d; i++) points[i] = s.distinct[i];
        return d;
    }
    s.w0[0] = 0.0;
    s.w1[0] = 0.0;
    s.w2[0] = 0.0;
    for (int i = 0; i < d; i++) {
        s.y[i] = (double)s.distinct[i] - (double)s.distinct[0];
        s.w0[i + 1] = s.w0[i] + s.weight[i];
        s.w1[i + 1] = s.w1[i] + s.weight[i] * s.y[i];
        s.w2[i + 1] = s.w2[i] + s.weight[i] * s.y[i] * s.y[i];
    }
    LevelPrefix prefix = {s.y, s.w0, s.w1, s.w2};
    double* best = s.best;
    double* next = s.next;
    for (int j = 1; j < d; j++) best[j] = prefix.cost(0, j);
    for (int k = 2; k < levels - 1; k++) {
        level_layer(prefix, best, next, s.choice + (int64_t)k * d, k, d);
        double* t = best;
        best = next;
        next = t;
    }
    int last = d - 1;
    if (levels > 2) {
        double least = INFINITY;
        for (int i = levels - 2; i < last; i++) {
            double c = best[i] + prefix.cost(i, last);
            if (c < least) {
                least = c;
                s.choice[(int64_t)(levels - 1) * d + last] = i;
            }
        }
    }
    int j = last;
    for (int k = levels - 1; k >= 1; k--) {
        points[k] = s.distinct[j];
        j = k >= 2 ? s.choice[(int64_t)k * d + j] : 0;
    }
    points[0] = s.distinct[0];
    return levels;
}

}  // namespace gq
