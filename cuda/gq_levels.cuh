// Level search of the smart quantizer: from a sorted sample, choose `levels` points, always the
// smallest and largest value among them, that (nearly) minimise the sum over the sample of
// (x-l)(r-x), l and r the points around x. The operation-for-operation twin of
// io.gradquant.reference.LevelSearch: the same prefix sums, the same cost expression, the same
// candidates and windows and the same smallest-index tie breaking, so every backend picks the
// same points. docs/smart.md gives the algorithm, its bound and the evidence.
//
// Two searches, chosen by level_plan():
// - exact: the dynamic programme over every distinct value, each layer by monotone divide and
//   conquer (level_exact); for small samples and many levels.
// - fast: an exact programme over a few candidates (coarse), then alternating exact programmes
//   in windows around the current points: over finer candidates, each point free to move between
//   its neighbours, and over every value, each point free to move a few values. Each programme
//   is brute force inside its windows (level_rows), which the CPU vectorises and CUDA spreads
//   over the threads of a block.
#pragma once
#include <math.h>
#include "gq_common.cuh"

namespace gq {

#define LEVEL_INFINITY INFINITY

// Caller-owned scratch for a sample of up to m values and up to `levels` points; sizes in
// level_scratch_words() below (SmartLauncher.java and smart_scratch() in gq_smart.cu lay it out).
struct LevelScratch {
    float* distinct;   // m
    double* weight;    // m
    double* y;         // m
    double* w0;        // m + 1
    double* w1;        // m + 1
    double* w2;        // m + 1
    double* best;      // m       exact search: current layer; fast search: layer buffer 0
    double* next;      // m       exact search: next layer; fast search: layer buffer 1
    int32_t* choice;   // levels * m
    double* cand;      // 8 * m   fast search: per list position y, w0, w1, w2 (as row j) and at
                       //         index + 1 (as column i): see LevelDp
    int32_t* list;     // m       fast search: the current programme's indices
    int32_t* fine;     // m       fast search: the fine candidates, ascending
    int32_t* order;    // m       fast search: candidate creation order / heap of gaps (a)
    int32_t* order_b;  // m       fast search: heap of gaps (b)
    double* metric;    // m       fast search: heap of gaps (metric)
    int32_t* window;   // 2 * levels: first and last list position of each layer
    int32_t* slot;     // levels: list position of each current point
    int32_t* points;   // 2 * levels: the current and the next point indices
};

// ---- prefix sums ----------------------------------------------------------------------------

// Sums over distinct values of weight, weight*y and weight*y^2, y = value - the weighted median
// value, as differences of prefix sums: w0[j] - w0[i] sums over the distinct values i .. j-1.
// The prefixes start at the median (w0[o] = 0) and run outwards, so sums over values near the
// median, where most values and most points are, stay small and exact even when an outlier is
// many orders of magnitude away.
struct LevelPrefix {
    const double *y, *w0, *w1, *w2;

    // Sum over sample values strictly between distinct values i < j of (y - y_i)(y_j - y).
    GQ_HD double cost(int i, int j) const {
        double q0 = w0[j] - w0[i + 1];
        double q1 = w1[j] - w1[i + 1];
        double q2 = w2[j] - w2[i + 1];
        return -q2 + (y[i] + y[j]) * q1 - y[i] * y[j] * q0;
    }

    // How much a point anywhere strictly between distinct values a < b may leave unresolved:
    // (sample values strictly inside) * (b - a). Moving an optimal point within such a gap costs
    // at most metric * (width of the interval around it): see docs/smart.md.
    GQ_HD double gap(int a, int b) const { return (w0[b] - w0[a + 1]) * (y[b] - y[a]); }
};

// Distinct values of an ascending sample (m >= 1, no -0, no NaN) with their counts, and the prefix
// sums over them. Returns the number of distinct values d.
GQ_HD int level_prefix(const float* sorted, int m, LevelScratch s) {
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
    // the weighted median: the first distinct value with at least half the sample at or below it
    int o = 0;
    int below = (int)s.weight[0];
    while (2 * below < m) below += (int)s.weight[++o];
    // running sums in locals: each prefix is a chain of additions, which must not also wait on
    // memory; the two directions are independent chains
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, b0 = 0.0, b1 = 0.0, b2 = 0.0;
    s.w0[o] = 0.0;
    s.w1[o] = 0.0;
    s.w2[o] = 0.0;
    for (int up = o, down = o - 1; up < d || down >= 0; up++, down--) {
        if (up < d) {
            double y = (double)s.distinct[up] - (double)s.distinct[o], w = s.weight[up];
            s.y[up] = y;
            a0 = a0 + w;
            a1 = a1 + w * y;
            a2 = a2 + w * y * y;
            s.w0[up + 1] = a0;
            s.w1[up + 1] = a1;
            s.w2[up + 1] = a2;
        }
        if (down >= 0) {
            double y = (double)s.distinct[down] - (double)s.distinct[o], w = s.weight[down];
            s.y[down] = y;
            b0 = b0 - w;
            b1 = b1 - w * y;
            b2 = b2 - w * y * y;
            s.w0[down] = b0;
            s.w1[down] = b1;
            s.w2[down] = b2;
        }
    }
    return d;
}

// ---- which search ---------------------------------------------------------------------------

struct LevelPlan {
    bool fast;    // the fast search; else the exact one
    int coarse;   // coarse candidates, including the first and last value
    int fine;     // fine candidates, including the coarse ones
    int radius;   // how many values a point may move in the programme over every value
    int rounds;   // at most this many rounds of the two window programmes
};

// The fast search runs where it was validated (docs/smart.md: 4 to 16 levels) and pays: when
// the fine candidates are at most half the distinct values; elsewhere the exact search runs.
// docs/smart.md shows how each number was chosen.
GQ_HD LevelPlan level_plan(int d, int levels) {
    LevelPlan p;
    p.coarse = 2 * levels > 32 ? 2 * levels : 32;
    int third = (d + 2) / 3;
    p.fine = 8 * levels > third ? 8 * levels : third;
    p.fast = levels >= 4 && levels <= 16 && 2 * p.fine <= d;
    p.radius = 4;
    p.rounds = 2;
    return p;
}

// ---- exact search -------------------------------------------------------------------------

// One node of a layer's monotone divide and conquer: the rows low..high, whose arg mins lie in
// opt_low..opt_high. Computes row mid = (low + high) / 2 (least value and smallest arg min) and
// returns its arg min; the children are the rows below mid (arg mins in opt_low..arg) and above
// (arg..opt_high). The result of every node depends only on its own ranges, so the nodes may be
// taken in any order: depth first on the CPU, breadth first by the threads of a block on CUDA.
struct LevelNode {
    int low, high, opt_low, opt_high;
};

GQ_HD int level_node(const LevelPrefix& prefix, const double* best, double* next, int32_t* choice, LevelNode node) {
    int mid = (int)(((unsigned)node.low + (unsigned)node.high) >> 1);
    double least = LEVEL_INFINITY;
    int arg = node.opt_low;
    int end = mid - 1 < node.opt_high ? mid - 1 : node.opt_high;
    for (int i = node.opt_low; i <= end; i++) {
        double c = best[i] + prefix.cost(i, mid);
        if (c < least) {
            least = c;
            arg = i;
        }
    }
    next[mid] = least;
    choice[mid] = arg;
    return arg;
}

// The first node of layer k: next[j] = min over i in [k-1, j-1] of best[i] + cost(i, j), for j in
// [k, d-1].
GQ_HD LevelNode level_root(int k, int d) {
    LevelNode root = {k, d - 1, k - 1, d - 2};
    return root;
}

// The whole layer, depth first with an explicit stack.
GQ_HD void level_layer(const LevelPrefix& prefix, const double* best, double* next, int32_t* choice, int k, int d) {
    LevelNode stack[64];
    int top = 0;
    stack[top++] = level_root(k, d);
    while (top > 0) {
        LevelNode node = stack[--top];
        int mid = (int)(((unsigned)node.low + (unsigned)node.high) >> 1);
        int arg = level_node(prefix, best, next, choice, node);
        if (mid + 1 <= node.high) {
            LevelNode above = {mid + 1, node.high, arg, node.opt_high};
            stack[top++] = above;
        }
        if (node.low <= mid - 1) {
            LevelNode below = {node.low, mid - 1, node.opt_low, arg};
            stack[top++] = below;
        }
    }
}

// The last layer needs only j = d-1: the smallest i with the least best[i] + cost(i, d-1).
GQ_HD int level_last(const LevelPrefix& prefix, const double* best, int d, int levels) {
    double least = LEVEL_INFINITY;
    int arg = levels - 2;
    for (int i = levels - 2; i < d - 1; i++) {
        double c = best[i] + prefix.cost(i, d - 1);
        if (c < least) {
            least = c;
            arg = i;
        }
    }
    return arg;
}

// Traces the exact search's choices (layers 2 .. levels-2 in s.choice, the last layer's arg min
// in last) into out[0..levels).
GQ_HD void level_exact_trace(LevelScratch s, int d, int levels, int last, int32_t* out) {
    out[levels - 1] = d - 1;
    int j = last;
    for (int k = levels - 2; k >= 1; k--) {
        out[k] = j;
        j = k >= 2 ? s.choice[(int64_t)k * d + j] : 0;
    }
    out[0] = 0;
}

// The optimal point indices over all d > levels distinct values, into out[0..levels).
GQ_HD void level_exact(const LevelPrefix& prefix, int d, int levels, LevelScratch s, int32_t* out) {
    double* best = s.best;
    double* next = s.next;
    for (int j = 1; j < d; j++) best[j] = prefix.cost(0, j);
    for (int k = 2; k < levels - 1; k++) {
        level_layer(prefix, best, next, s.choice + (int64_t)k * d, k, d);
        double* t = best;
        best = next;
        next = t;
    }
    int last = levels > 2 ? level_last(prefix, best, d, levels) : 0;
    level_exact_trace(s, d, levels, last, out);
}

// ---- fast search: candidates ------------------------------------------------------------------

// The index t strictly between a and b (b - a >= 2) that minimises max(gap(a, t), gap(t, b)):
// gap(a, t) grows with t and gap(t, b) shrinks (exactly, in floating point: rounding is
// monotone), so the best t is at their crossing or just before it.
GQ_HD int level_split(const LevelPrefix& p, int a, int b) {
    int lo = a + 1, hi = b - 1;
    while (lo < hi) {  // the first t with gap(a, t) >= gap(t, b), or b - 1 if none
        int mid = (int)(((unsigned)lo + (unsigned)hi) >> 1);
        bool right = p.gap(a, mid) >= p.gap(mid, b);
        hi = right ? mid : hi;
        lo = right ? lo : mid + 1;
    }
    return lo > a + 1 && p.gap(lo - 1, b) < p.gap(a, lo) ? lo - 1 : lo;
}

// Heap of gaps (a, b), the largest gap metric first, then the smallest a. The comparisons
// decide on data the branch predictor cannot learn, so they are written to compile to
// conditional moves, and pop walks to a leaf before it places the moved gap (Floyd).
struct GapHeap {
    double* metric;
    int32_t* a;
    int32_t* b;
    int size;

    GQ_HD bool before(int i, int j) const { return metric[i] > metric[j] || (metric[i] == metric[j] && a[i] < a[j]); }

    GQ_HD void put(int i, double m, int ga, int gb) {
        metric[i] = m;
        a[i] = ga;
        b[i] = gb;
    }

    // Places (m, ga, gb) at hole i or above it.
    GQ_HD void rise(int i, double m, int ga, int gb) {
        while (i > 0) {
            int up = (i - 1) >> 1;
            if (!(m > metric[up] || (m == metric[up] && ga < a[up]))) break;
            put(i, metric[up], a[up], b[up]);
            i = up;
        }
        put(i, m, ga, gb);
    }

    GQ_HD void push(double m, int ga, int gb) { rise(size++, m, ga, gb); }

    GQ_HD void pop() {
        size--;
        int i = 0;
        for (int l = 1; l < size; l = 2 * i + 1) {  // move the better child up into the hole
            int c = l + (l + 1 < size && before(l + 1, l) ? 1 : 0);
            put(i, metric[c], a[c], b[c]);
            i = c;
        }
        rise(i, metric[size], a[size], b[size]);
    }
};

// Candidates by splitting gaps, largest gap metric first, at their best split point: the first
// and last value, then plan.fine - 2 splits (or every value, if fewer). Writes the fine candidates
// ascending to s.fine and returns their number; the first plan.coarse of them to be created
// (`order` marks them) are the coarse candidates.
template <class Kernels>
GQ_HD int level_candidates(const LevelPrefix& p, int d, const LevelPlan& plan, LevelScratch s, Kernels kernels) {
    for (int t = 0; t < d; t++) s.order[t] = 0;  // 0: not a candidate; else 1 + creation order
    s.order[0] = 1;
    s.order[d - 1] = 2;
    int made = 2;
    GapHeap heap = {s.metric, s.fine, s.order_b, 0};  // s.fine doubles as heap storage until the end
    if (d - 1 >= 2) heap.push(p.gap(0, d - 1), 0, d - 1);
    while (made < plan.fine && heap.size > 0) {
        int a = heap.a[0], b = heap.b[0];
        heap.pop();
        int t = kernels.split(p, a, b);
        s.order[t] = ++made;
        if (t - a >= 2) heap.push(p.gap(a, t), a, t);
        if (b - t >= 2) heap.push(p.gap(t, b), t, b);
    }
    int n = 0;
    for (int t = 0; t < d; t++) {
        if (s.order[t] != 0) s.fine[n++] = t;
    }
    return n;
}

// ---- fast search: an exact programme inside windows -------------------------------------------

// One layered programme: layer k (0 .. levels-1) takes one of the list positions
// window[2k] .. window[2k+1] (layer 0: the first value, the last layer: the last), a layer's
// position is above the previous layer's, and the cost is exact. For list position t with index
// x = list[t]: cand holds y[x], w0[x], w1[x], w2[x] (the point as right end j) in rows 0..3 and
// y[x], w0[x+1], w1[x+1], w2[x+1] (as left end i) in rows 4..7, each row n long, so that the
// vectorised rows read contiguous memory.
struct LevelDp {
    int n;
    int levels;
    const int32_t* list;
    double* cand;        // 8 rows of n
    double* layer[2];    // layer k's least costs live in layer[k & 1], by list position
    int32_t* choice;     // layer k's arg min at choice[k * n + position]
    const int32_t* window;

    GQ_HD const double* row(int r) const { return cand + (int64_t)r * n; }
};

// Fills cand from the prefix sums.
GQ_HD void level_dp_fill(const LevelDp& dp, const LevelPrefix& p, int first, int step) {
    double* c = dp.cand;
    int n = dp.n;
    for (int t = first; t < n; t += step) {
        int x = dp.list[t];
        c[t] = p.y[x];
        c[n + t] = p.w0[x];
        c[2 * n + t] = p.w1[x];
        c[3 * n + t] = p.w2[x];
        c[4 * n + t] = p.y[x];
        c[5 * n + t] = p.w0[x + 1];
        c[6 * n + t] = p.w1[x + 1];
        c[7 * n + t] = p.w2[x + 1];
    }
}

// The cost of the interval between list positions i < j: LevelPrefix::cost, operation for
// operation, on the list's rows.
GQ_HD double level_dp_cost(const LevelDp& dp, int i, int j) {
    const double* c = dp.cand;
    int n = dp.n;
    double yi = c[4 * n + i], yj = c[j];
    double q0 = c[n + j] - c[5 * n + i];
    double q1 = c[2 * n + j] - c[6 * n + i];
    double q2 = c[3 * n + j] - c[7 * n + i];
    return -q2 + (yi + yj) * q1 - yi * yj * q0;
}

// Layer k >= 1, rows first, first + step, ... of its window: for each position j, the least
// layer[k-1][i] + cost(i, j) over the previous layer's positions i < j, and the smallest such i
// (-1 and infinity if there is none). Every backend computes exactly these minima; only the
// order of the comparisons differs, which changes neither the least value nor the smallest i.
GQ_HD void level_rows(const LevelDp& dp, int k, int first, int step) {
    const double* before = dp.layer[(k - 1) & 1];
    double* here = dp.layer[k & 1];
    int i_low = dp.window[2 * (k - 1)], i_high = dp.window[2 * (k - 1) + 1];
    for (int j = dp.window[2 * k] + first; j <= dp.window[2 * k + 1]; j += step) {
        double least = LEVEL_INFINITY;
        int arg = -1;
        int end = j - 1 < i_high ? j - 1 : i_high;
        for (int i = i_low; i <= end; i++) {
            double c = before[i] + level_dp_cost(dp, i, j);
            if (c < least) {
                least = c;
                arg = i;
            }
        }
        here[j] = least;
        dp.choice[(int64_t)k * dp.n + j] = arg;
    }
}

// The point indices of the programme's best path, into out[0..levels).
GQ_HD void level_dp_trace(const LevelDp& dp, int32_t* out) {
    int t = dp.n - 1;
    for (int k = dp.levels - 1; k >= 1; k--) {
        out[k] = dp.list[t];
        t = dp.choice[(int64_t)k * dp.n + t];
    }
    out[0] = dp.list[t];
}

GQ_HD LevelDp level_dp(LevelScratch s, int levels, int n) {
    LevelDp dp;
    dp.n = n;
    dp.levels = levels;
    dp.list = s.list;
    dp.cand = s.cand;
    dp.layer[0] = s.best;
    dp.layer[1] = s.next;
    dp.choice = s.choice;
    dp.window = s.window;
    return dp;
}

// The coarse programme: the coarse candidates, every layer free to take any of them that leaves
// room for the layers around it. Returns the list length.
GQ_HD int level_coarse_list(int nfine, const LevelPlan& plan, int levels, LevelScratch s) {
    int n = 0;
    for (int t = 0; t < nfine; t++) {
        if (s.order[s.fine[t]] <= plan.coarse) s.list[n++] = s.fine[t];
    }
    for (int k = 0; k < levels; k++) {
        s.window[2 * k] = k == 0 ? 0 : k == levels - 1 ? n - 1 : k;
        s.window[2 * k + 1] = k == 0 ? 0 : k == levels - 1 ? n - 1 : n - levels + k;
    }
    return n;
}

// The neighbour programme: the fine candidates and the current points p; point k may take any of
// them from point k-1 to point k+1 (inclusive: the layers may all shift by one). Returns the list
// length.
GQ_HD int level_neighbour_list(int nfine, int levels, const int32_t* p, LevelScratch s) {
    int n = 0, k = 0, t = 0;
    while (t < nfine || k < levels) {  // merge the fine candidates with the points
        int next;
        if (k < levels && (t >= nfine || p[k] <= s.fine[t])) {
            next = p[k];
            if (t < nfine && s.fine[t] == next) t++;
            s.slot[k++] = n;
        } else {
            next = s.fine[t++];
        }
        s.list[n++] = next;
    }
    s.window[0] = 0;
    s.window[1] = 0;
    for (k = 1; k < levels - 1; k++) {
        s.window[2 * k] = s.slot[k - 1] > 1 ? s.slot[k - 1] : 1;
        s.window[2 * k + 1] = s.slot[k + 1] < n - 2 ? s.slot[k + 1] : n - 2;
    }
    s.window[2 * (levels - 1)] = n - 1;
    s.window[2 * (levels - 1) + 1] = n - 1;
    return n;
}

// The programme over every value: point k may move up to plan.radius values either way. Returns
// the list length.
GQ_HD int level_radius_list(int d, int levels, int radius, const int32_t* p, LevelScratch s) {
    int n = 0;
    s.list[n++] = 0;
    s.window[0] = 0;
    s.window[1] = 0;
    int last = 0;
    for (int k = 1; k < levels - 1; k++) {
        int low = p[k] - radius > 1 ? p[k] - radius : 1;
        int high = p[k] + radius < d - 2 ? p[k] + radius : d - 2;
        s.window[2 * k] = low <= last ? n - 1 - (last - low) : n;
        for (int x = low > last + 1 ? low : last + 1; x <= high; x++) s.list[n++] = x;
        if (high > last) last = high;
        s.window[2 * k + 1] = n - 1 - (last - high);
    }
    s.list[n++] = d - 1;
    s.window[2 * (levels - 1)] = n - 1;
    s.window[2 * (levels - 1) + 1] = n - 1;
    return n;
}

// ---- drivers ----------------------------------------------------------------------------------

// Runs one programme with kernels.rows (level_rows or a vectorised twin) and traces it into out.
template <class Kernels>
GQ_HD void level_dp_run(const LevelDp& dp, const LevelPrefix& p, Kernels kernels, int32_t* out) {
    level_dp_fill(dp, p, 0, 1);
    dp.layer[0][0] = 0.0;  // layer 0: the first value, at position 0, costs nothing
    for (int k = 1; k < dp.levels; k++) kernels.rows(dp, k);
    level_dp_trace(dp, out);
}

GQ_HD bool level_same(const int32_t* a, const int32_t* b, int levels) {
    for (int k = 0; k < levels; k++) {
        if (a[k] != b[k]) return false;
    }
    return true;
}

// The level search's two inner loops, scalar; the CPU backend passes vectorised twins that give
// the same results.
struct ScalarLevelKernels {
    GQ_HD void rows(const LevelDp& dp, int k) const { level_rows(dp, k, 0, 1); }
    GQ_HD int split(const LevelPrefix& p, int a, int b) const { return level_split(p, a, b); }
};

// Chooses the points for an ascending sample of m >= 1 values (no -0, no NaN). Writes them to
// points (room for `levels`) and returns how many: `levels`, or the number of distinct values if
// that is smaller. The sequential driver (Java's twin is LevelSearch.choose); gq_smart.cu runs the
// same steps with the block's threads.
template <class Kernels>
GQ_HD int choose_levels(const float* sorted, int m, int levels, LevelScratch s, float* points, Kernels kernels) {
    int d = level_prefix(sorted, m, s);
    if (d <= levels) {
        for (int i = 0; i < d; i++) points[i] = s.distinct[i];
        return d;
    }
    LevelPrefix prefix = {s.y, s.w0, s.w1, s.w2};
    LevelPlan plan = level_plan(d, levels);
    int32_t* p = s.points;
    if (!plan.fast) {
        level_exact(prefix, d, levels, s, p);
    } else {
        int32_t* q = s.points + levels;
        int nfine = level_candidates(prefix, d, plan, s, kernels);
        level_dp_run(level_dp(s, levels, level_coarse_list(nfine, plan, levels, s)), prefix, kernels, p);
        for (int round = 0; round < plan.rounds; round++) {
            level_dp_run(level_dp(s, levels, level_neighbour_list(nfine, levels, p, s)), prefix, kernels, q);
            bool same = level_same(p, q, levels);
            level_dp_run(level_dp(s, levels, level_radius_list(d, levels, plan.radius, q, s)), prefix, kernels, p);
            if (same && level_same(p, q, levels)) break;
        }
    }
    for (int k = 0; k < levels; k++) points[k] = s.distinct[p[k]];
    return levels;
}

GQ_HD int choose_levels(const float* sorted, int m, int levels, LevelScratch s, float* points) {
    return choose_levels(sorted, m, levels, s, points, ScalarLevelKernels());
}

}  // namespace gq
