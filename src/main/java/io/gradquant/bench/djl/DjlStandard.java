package io.gradquant.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.gradquant.QuantizerType;

/**
 * {@code standard} in NDArray operations: per-row min and max, unit = (max - min)/(levels - 1),
 * k = floor((x - min)/unit + U) with U uniform on [0, 1), clamped to levels - 1, output
 * min + k*unit. In float32, as PyTorch computes (the library computes the grid in double).
 */
public final class DjlStandard implements DjlQuantizer {
    @Override
    public QuantizerType type() {
        return QuantizerType.STANDARD;
    }

    @Override
    public NDArray quantize(NDArray x, int bucketSize, int levels) {
        NDArray rows = DjlBuckets.rows(x, bucketSize, DjlBuckets.Pad.REPEAT_LAST);
        return DjlBuckets.flat(roundRows(rows, levels), x.size());
    }

    /** Standard quantization of each row of a matrix (also the rotated domain of hadamard). */
    static NDArray roundRows(NDArray rows, int levels) {
        int[] perRow = {1};
        NDArray min = rows.min(perRow, true);
        NDArray max = rows.max(perRow, true);
        // a constant row has unit 0; any positive unit then maps it to k = 0, i.e. unchanged
        NDArray unit = max.sub(min).div(levels - 1).maximum(Float.MIN_VALUE);
        Shape shape = rows.getShape();
        NDArray uniform = rows.getManager().randomUniform(0f, 1f, shape);
        NDArray k = rows.sub(min).div(unit).add(uniform).floor().minimum(levels - 1);
        return k.mul(unit).add(min);
    }
}
