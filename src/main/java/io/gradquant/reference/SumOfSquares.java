package io.gradquant.reference;

/**
 * The sum of x^2 over a bucket, in the one order every backend uses, so that the exponential
 * quantizer's L2 norm (and so its points) is bit-identical everywhere: eight lanes, lane j summing
 * the elements i = j mod 8 in order, combined as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)). Twin of
 * {@code lane_sum_squares} in cuda/gq_round.cuh.
 */
final class SumOfSquares {
    private SumOfSquares() {
    }

    static double of(float[] x, int n) {
        double[] lane = new double[8];
        for (int i = 0; i < n; i++) {
            lane[i & 7] += (double) x[i] * (double) x[i];
        }
        return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    }
}
