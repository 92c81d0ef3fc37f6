package io.gradquant.reference;

import java.util.Arrays;

/**
 * The test oracle for {@link LevelSearch}: the exact level search the smart quantizer used before
 * the fast search (kept verbatim). From the distinct values of a sorted sample, choose
 * {@code levels} points, always including the smallest and largest, that minimise the sum over
 * the sample of (x-l)(r-x), l and r the points around x. Exact dynamic programme over prefix sums
 * taken from the smallest value; each layer uses the monotone divide-and-conquer optimisation.
 */
final class ExactLevelSearch {
    private ExactLevelSearch() {
    }

    /**
     * @param sorted ascending sample values (duplicates allowed; no -0, no NaN), length >= 1
     * @param levels number of points wanted, >= 2
     * @return the chosen points, ascending; all distinct values when there are no more than
     *         {@code levels} of them
     */
    static float[] choose(float[] sorted, int levels) {
        int m = sorted.length;
        float[] distinct = new float[m];
        double[] weight = new double[m];
        int d = 0;
        for (int i = 0; i < m; i++) {
            if (d > 0 && sorted[i] == distinct[d - 1]) {
                weight[d - 1] += 1.0;
            } else {
                distinct[d] = sorted[i];
                weight[d] = 1.0;
                d++;
            }
        }
        if (d <= levels) {
            return Arrays.copyOf(distinct, d);
        }
        Prefix prefix = new Prefix(distinct, weight, d);
        // best[j] = least cost of points 0 < ... < j with k+1 points in all, for the current layer k
        double[] best = new double[d];
        for (int j = 1; j < d; j++) {
            best[j] = prefix.cost(0, j);
        }
        int[][] choice = new int[levels][d];
        double[] next = new double[d];
        for (int k = 2; k < levels - 1; k++) {
            solveLayer(prefix, best, next, choice[k], k, d);
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
        float[] points = new float[levels];
        int j = last;
        for (int k = levels - 1; k >= 1; k--) {
            points[k] = distinct[j];
            j = k >= 2 ? choice[k][j] : 0;
        }
        points[0] = distinct[0];
        return points;
    }

    /**
     * next[j] = min over i in [k-1, j-1] of best[i] + cost(i, j), for j in [k, d-1]; the smallest
     * minimising i is recorded. The optimal i is monotone in j, so each j searches only between the
     * optima of its neighbours in the recursion; an explicit stack replaces recursion.
     */
    private static void solveLayer(Prefix prefix, double[] best, double[] next, int[] choice, int k, int d) {
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

    /** Prefix sums of weight, weight*y and weight*y^2, y = value - smallest value (for precision). */
    static final class Prefix {
        final double[] y;
        final double[] w0;
        final double[] w1;
        final double[] w2;

        Prefix(float[] distinct, double[] weight, int d) {
            y = new double[d];
            w0 = new double[d + 1];
            w1 = new double[d + 1];
            w2 = new double[d + 1];
            for (int i = 0; i < d; i++) {
                y[i] = (double) distinct[i] - (double) distinct[0];
                w0[i + 1] = w0[i] + weight[i];
                w1[i + 1] = w1[i] + weight[i] * y[i];
                w2[i + 1] = w2[i] + weight[i] * y[i] * y[i];
            }
        }

        /** Sum over sample values strictly between points i < j of (y - y_i)(y_j - y). */
        double cost(int i, int j) {
            double q0 = w0[j] - w0[i + 1];
            double q1 = w1[j] - w1[i + 1];
            double q2 = w2[j] - w2[i + 1];
            return -q2 + (y[i] + y[j]) * q1 - y[i] * y[j] * q0;
        }
    }
}
