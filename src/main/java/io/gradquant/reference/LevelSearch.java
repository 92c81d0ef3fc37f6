package io.gradquant.reference;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Points for the {@code smart} quantizer: from the distinct values of a sorted sample, choose
 * {@code levels} points, always including the smallest and largest, that minimise (exactly, or
 * within a tested 0.5%) the sum over the sample of (x-l)(r-x), l and r the points around x.
 *
 * <p>Two searches, chosen by {@link Plan}: the exact dynamic programme over every distinct value
 * (each layer by monotone divide and conquer), for small samples and many levels; and the fast
 * search: an exact programme over a few candidates, then rounds of exact programmes in windows
 * around the current points (over finer candidates, each point free to move between its
 * neighbours; over every value, each point free to move a few values). {@code docs/smart.md}
 * gives the algorithm and the evidence for its bound.
 *
 * <p>{@code cuda/gq_levels.cuh} is the same algorithm, operation for operation (the same prefix
 * sums, cost expression, candidates, windows and smallest-index tie breaking), so every backend
 * picks the same points.
 */
public final class LevelSearch {
    private LevelSearch() {
    }

    /**
     * @param sorted ascending sample values (duplicates allowed; no -0, no NaN), length >= 1
     * @param levels number of points wanted, >= 2
     * @return the chosen points, ascending; all distinct values when there are no more than
     *         {@code levels} of them
     */
    public static float[] choose(float[] sorted, int levels) {
        Prefix p = new Prefix(sorted);
        int d = p.d;
        if (d <= levels) {
            return Arrays.copyOf(p.distinct, d);
        }
        Plan plan = new Plan(d, levels);
        int[] points = plan.fast ? fast(p, plan, levels) : exact(p, levels);
        float[] out = new float[levels];
        for (int k = 0; k < levels; k++) {
            out[k] = p.distinct[points[k]];
        }
        return out;
    }

    /** Which search, and the fast search's sizes: {@code level_plan} in gq_levels.cuh. */
    static final class Plan {
        final boolean fast;
        /** Coarse candidates, including the first and last value. */
        final int coarse;
        /** Fine candidates, including the coarse ones. */
        final int fine;
        /** How many values a point may move in the programme over every value. */
        final int radius = 4;
        /** At most this many rounds of the two window programmes. */
        final int rounds = 2;

        Plan(int d, int levels) {
            coarse = Math.max(2 * levels, 32);
            fine = Math.max(8 * levels, (d + 2) / 3);
            fast = levels >= 4 && levels <= 16 && 2 * fine <= d;
        }
    }

    /**
     * Distinct values, their counts, and prefix sums of count, count*y and count*y^2 with y = value
     * minus the weighted median value, taken from the median outwards: w0[j] - w0[i] sums over the
     * distinct values i .. j-1, and sums near the median stay small and exact even when an outlier
     * is orders of magnitude away.
     */
    static final class Prefix {
        final float[] distinct;
        final int d;
        final double[] y;
        final double[] w0;
        final double[] w1;
        final double[] w2;

        Prefix(float[] sorted) {
            int m = sorted.length;
            float[] values = new float[m];
            double[] weight = new double[m];
            int count = 0;
            for (int i = 0; i < m; i++) {
                if (count > 0 && sorted[i] == values[count - 1]) {
                    weight[count - 1] += 1.0;
                } else {
                    values[count] = sorted[i];
                    weight[count] = 1.0;
                    count++;
                }
            }
            d = count;
            distinct = Arrays.copyOf(values, d);
            int o = 0;
            int below = (int) weight[0];
            while (2 * below < m) {
                below += (int) weight[++o];
            }
            y = new double[d];
            w0 = new double[d + 1];
            w1 = new double[d + 1];
            w2 = new double[d + 1];
            double a0 = 0.0;
            double a1 = 0.0;
            double a2 = 0.0;
            for (int i = o; i < d; i++) {
                double v = (double) distinct[i] - (double) distinct[o];
                double w = weight[i];
                y[i] = v;
                a0 = a0 + w;
                a1 = a1 + w * v;
                a2 = a2 + w * v * v;
                w0[i + 1] = a0;
                w1[i + 1] = a1;
                w2[i + 1] = a2;
            }
            a0 = 0.0;
            a1 = 0.0;
            a2 = 0.0;
            for (int i = o - 1; i >= 0; i--) {
                double v = (double) distinct[i] - (double) distinct[o];
                double w = weight[i];
                y[i] = v;
                a0 = a0 - w;
                a1 = a1 - w * v;
                a2 = a2 - w * v * v;
                w0[i] = a0;
                w1[i] = a1;
                w2[i] = a2;
            }
        }

        /** Sum over sample values strictly between distinct values i < j of (y - y_i)(y_j - y). */
        double cost(int i, int j) {
            double q0 = w0[j] - w0[i + 1];
            double q1 = w1[j] - w1[i + 1];
            double q2 = w2[j] - w2[i + 1];
            return -q2 + (y[i] + y[j]) * q1 - y[i] * y[j] * q0;
        }

        /** (sample values strictly between distinct values a < b) * (b - a). */
        double gap(int a, int b) {
            return (w0[b] - w0[a + 1]) * (y[b] - y[a]);
        }
    }

    // ---- exact search --------------------------------------------------------------------------

    /** The optimal point indices over all d > levels distinct values. */
    static int[] exact(Prefix prefix, int levels) {
        int d = prefix.d;
        double[] best = new double[d];
        for (int j = 1; j < d; j++) {
            best[j] = prefix.cost(0, j);
        }
        int[][] choice = new int[levels][d];
        double[] next = new double[d];
        for (int k = 2; k < levels - 1; k++) {
            exactLayer(prefix, best, next, choice[k], k, d);
            double[] t = best;
            best = next;
            next = t;
        }
        int last = d - 1;
        if (levels > 2) {
            // The final layer needs only j = d-1.
            double least = Double.POSITIVE_INFINITY;
            for (int i = levels - 2; i < last; i++) {
                double c = best[i] + prefix.cost(i, last);
                if (c < least) {
                    least = c;
                    choice[levels - 1][last] = i;
                }
            }
        }
        int[] out = new int[levels];
        int j = last;
        for (int k = levels - 1; k >= 1; k--) {
            out[k] = j;
            j = k >= 2 ? choice[k][j] : 0;
        }
        return out;
    }

    /**
     * next[j] = min over i in [k-1, j-1] of best[i] + cost(i, j), for j in [k, d-1]; the smallest
     * minimising i is recorded. The optimal i is monotone in j, so each j searches only between the
     * optima of its neighbours in the recursion; an explicit stack replaces recursion.
     */
    static void exactLayer(Prefix prefix, double[] best, double[] next, int[] choice, int k, int d) {
        int[] stack = new int[4 * 64];
        int top = 0;
        stack[top++] = k;          // j range low
        stack[top++] = d - 1;      // j range high
        stack[top++] = k - 1;      // i range low
        stack[top++] = d - 2;      // i range high
        while (top > 0) {
            int optHigh = stack[--top];
            int optLow = stack[--top];
            int high = stack[--top];
            int low = stack[--top];
            int mid = (low + high) >>> 1;
            double least = Double.POSITIVE_INFINITY;
            int arg = optLow;
            int end = Math.min(mid - 1, optHigh);
            for (int i = optLow; i <= end; i++) {
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
                stack[top++] = optHigh;
            }
            if (low <= mid - 1) {
                stack[top++] = low;
                stack[top++] = mid - 1;
                stack[top++] = optLow;
                stack[top++] = arg;
            }
        }
    }

    // ---- fast search -----------------------------------------------------------------------------

    static int[] fast(Prefix prefix, Plan plan, int levels) {
        int d = prefix.d;
        int[] order = new int[d];
        int[] fine = candidates(prefix, plan, order);
        int[] coarse = Arrays.stream(fine).filter(t -> order[t] <= plan.coarse).toArray();
        int[] window = new int[2 * levels];
        for (int k = 1; k < levels - 1; k++) {
            window[2 * k] = k;
            window[2 * k + 1] = coarse.length - levels + k;
        }
        window[2 * (levels - 1)] = coarse.length - 1;
        window[2 * (levels - 1) + 1] = coarse.length - 1;
        int[] p = programme(prefix, coarse, window, levels);
        for (int round = 0; round < plan.rounds; round++) {
            int[] q = neighbourProgramme(prefix, fine, p, levels);
            boolean same = Arrays.equals(p, q);
            p = radiusProgramme(prefix, plan.radius, q, levels);
            if (same && Arrays.equals(p, q)) {
                break;
            }
        }
        return p;
    }

    /**
     * Candidates by splitting gaps, largest gap metric first (then smallest first index), each at
     * its best split point: the first and last value, then plan.fine - 2 splits (or every value, if
     * fewer). Returns the fine candidates ascending; order[t] is 0 for a value that is not one, else
     * 1 + its creation order, so the first plan.coarse are the coarse candidates.
     */
    static int[] candidates(Prefix p, Plan plan, int[] order) {
        int d = p.d;
        order[0] = 1;
        order[d - 1] = 2;
        int made = 2;
        // a gap is (metric, a, b); no two gaps in the queue share a, so the order is total
        PriorityQueue<double[]> heap = new PriorityQueue<>((g, h) -> g[0] != h[0] ? Double.compare(h[0], g[0])
                : Double.compare(g[1], h[1]));
        if (d - 1 >= 2) {
            heap.add(new double[] {p.gap(0, d - 1), 0, d - 1});
        }
        while (made < plan.fine && !heap.isEmpty()) {
            double[] g = heap.poll();
            int a = (int) g[1];
            int b = (int) g[2];
            int t = split(p, a, b);
            order[t] = ++made;
            if (t - a >= 2) {
                heap.add(new double[] {p.gap(a, t), a, t});
            }
            if (b - t >= 2) {
                heap.add(new double[] {p.gap(t, b), t, b});
            }
        }
        int n = 0;
        int[] fine = new int[made];
        for (int t = 0; t < d; t++) {
            if (order[t] != 0) {
                fine[n++] = t;
            }
        }
        return fine;
    }

    /**
     * The index t strictly between a and b (b - a >= 2) that minimises max(gap(a, t), gap(t, b)):
     * gap(a, t) grows with t and gap(t, b) shrinks (also in floating point), so the best t is at
     * their crossing or just before it.
     */
    static int split(Prefix p, int a, int b) {
        int lo = a + 1;
        int hi = b - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (p.gap(a, mid) >= p.gap(mid, b)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo > a + 1 && p.gap(lo - 1, b) < p.gap(a, lo) ? lo - 1 : lo;
    }

    /**
     * The fine candidates and the current points; point k may take any of them from point k-1 to
     * point k+1, inclusive.
     */
    static int[] neighbourProgramme(Prefix prefix, int[] fine, int[] p, int levels) {
        int[] list = new int[fine.length + levels];
        int[] slot = new int[levels];
        int n = 0;
        int k = 0;
        int t = 0;
        while (t < fine.length || k < levels) {
            int next;
            if (k < levels && (t >= fine.length || p[k] <= fine[t])) {
                next = p[k];
                if (t < fine.length && fine[t] == next) {
                    t++;
                }
                slot[k++] = n;
            } else {
                next = fine[t++];
            }
            list[n++] = next;
        }
        int[] window = new int[2 * levels];
        for (k = 1; k < levels - 1; k++) {
            window[2 * k] = Math.max(slot[k - 1], 1);
            window[2 * k + 1] = Math.min(slot[k + 1], n - 2);
        }
        window[2 * (levels - 1)] = n - 1;
        window[2 * (levels - 1) + 1] = n - 1;
        return programme(prefix, Arrays.copyOf(list, n), window, levels);
    }

    /** Every value; point k may move up to radius values either way. */
    static int[] radiusProgramme(Prefix prefix, int radius, int[] p, int levels) {
        int d = prefix.d;
        int[] list = new int[d];
        int[] window = new int[2 * levels];
        int n = 0;
        list[n++] = 0;
        int last = 0;
        for (int k = 1; k < levels - 1; k++) {
            int low = Math.max(p[k] - radius, 1);
            int high = Math.min(p[k] + radius, d - 2);
            window[2 * k] = low <= last ? n - 1 - (last - low) : n;
            for (int x = Math.max(low, last + 1); x <= high; x++) {
                list[n++] = x;
            }
            last = Math.max(last, high);
            window[2 * k + 1] = n - 1 - (last - high);
        }
        list[n++] = d - 1;
        window[2 * (levels - 1)] = n - 1;
        window[2 * (levels - 1) + 1] = n - 1;
        return programme(prefix, Arrays.copyOf(list, n), window, levels);
    }

    /**
     * The exact layered programme over the ascending value indices in list: layer k (0 ..
     * levels-1) takes a list position in window[2k] .. window[2k+1] (layer 0 position 0, the last
     * layer the last position) above the previous layer's; for each position, the least total cost
     * and the smallest previous position reaching it. Returns the best path's value indices.
     */
    static int[] programme(Prefix prefix, int[] list, int[] window, int levels) {
        int n = list.length;
        double[] before = new double[n];
        double[] here = new double[n];
        int[][] choice = new int[levels][n];
        before[0] = 0.0;
        for (int k = 1; k < levels; k++) {
            int iLow = window[2 * (k - 1)];
            int iHigh = window[2 * (k - 1) + 1];
            for (int j = window[2 * k]; j <= window[2 * k + 1]; j++) {
                double least = Double.POSITIVE_INFINITY;
                int arg = -1;
                int end = Math.min(j - 1, iHigh);
                for (int i = iLow; i <= end; i++) {
                    double c = before[i] + prefix.cost(list[i], list[j]);
                    if (c < least) {
                        least = c;
                        arg = i;
                    }
                }
                here[j] = least;
                choice[k][j] = arg;
            }
            double[] t = before;
            before = here;
            here = t;
        }
        int[] out = new int[levels];
        int t = n - 1;
        for (int k = levels - 1; k >= 1; k--) {
            out[k] = list[t];
            t = choice[k][t];
        }
        out[0] = list[t];
        return out;
    }
}
