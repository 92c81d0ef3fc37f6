package io.gradquant.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.gradquant.QuantizerType;

/**
 * {@code exponential} (L2 norm, the default) in NDArray operations: per-row norm, r = |x|/norm,
 * 2^top the smallest power of two >= max r, points {0, 2^(top-K+1), ..., 2^top} with
 * K = levels/2 - 1; r is rounded unbiasedly between the power of two below it and twice that, or
 * between 0 and the smallest point, and the sign put back. Powers of two come from
 * 2^floor(log2 r), corrected by one where log2 rounded up across a power.
 */
public final class DjlExponential implements DjlQuantizer {
    @Override
    public QuantizerType type() {
        return QuantizerType.EXPONENTIAL;
    }

    @Override
    public NDArray quantize(NDArray x, int bucketSize, int levels) {
        int powers = levels / 2 - 1;
        NDArray rows = DjlBuckets.rows(x, bucketSize, DjlBuckets.Pad.ZEROS);
        NDManager m = rows.getManager();
        int[] perRow = {1};
        NDArray norm = rows.square().sum(perRow, true).sqrt();
        // an all-zero row would divide 0 by 0; any positive norm leaves it at zero
        NDArray r = rows.abs().div(norm.maximum(Float.MIN_VALUE));
        NDArray two = m.create(2f);
        NDArray top = r.max(perRow, true).log2().ceil();
        NDArray smallest = two.pow(top.sub(powers - 1));
        NDArray power = two.pow(r.log2().floor());
        power = NDArrays.where(power.gt(r), power.div(2), power);
        NDArray inRange = r.gte(smallest);
        NDArray below = power.mul(inRange.toType(DataType.FLOAT32, false));
        NDArray above = NDArrays.where(inRange, power.mul(2), smallest);
        NDArray up = m.randomUniform(0f, 1f, rows.getShape()).lt(r.sub(below).div(above.sub(below)));
        NDArray level = NDArrays.where(up, above, below);
        return DjlBuckets.flat(level.mul(norm).mul(rows.sign()), x.size());
    }
}
