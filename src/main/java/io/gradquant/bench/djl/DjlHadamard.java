package io.gradquant.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.gradquant.QuantizerType;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code hadamard} in NDArray operations: zero-pad each bucket to a power of two P, multiply by
 * random signs, rotate with the orthonormal Walsh-Hadamard matrix, {@link DjlStandard standard}
 * per row, rotate back, undo the signs and drop the padding.
 *
 * <p>The rotation is a matrix product, done the way a careful user would: the Sylvester matrix
 * H_P is the Kronecker product H_a (x) H_b with a*b = P, so multiplying a bucket viewed as an a-by-b
 * matrix Y gives H_a Y H_b, two small matrix products, 2(a + b) multiply-adds per value instead of
 * P with one P-by-P product (and no P-by-P matrix: 16 GiB at P = 65536). The second product runs
 * on the transposed view so that both are plain (rows, k) x (k, k) products; quantization does not
 * care about the order of values within a row, so the rotated row stays transposed until the
 * rotation back. The factor matrices are built once per P and cached.
 */
public final class DjlHadamard implements DjlQuantizer {
    private final NDManager manager;
    private final Map<Integer, NDArray> matrices = new HashMap<>();

    /** @param manager holds the cached Hadamard factor matrices; on the device the data will be on */
    public DjlHadamard(NDManager manager) {
        this.manager = manager;
    }

    @Override
    public QuantizerType type() {
        return QuantizerType.HADAMARD;
    }

    @Override
    public NDArray quantize(NDArray x, int bucketSize, int levels) {
        NDArray rows = paddedRows(x, bucketSize);
        NDArray uniform = rows.getManager().randomUniform(0f, 1f, rows.getShape());
        // 1 - 2*[u < 1/2]: -1 or +1 with equal probability
        NDArray signs = uniform.lt(0.5f).toType(DataType.FLOAT32, false).mul(-2).add(1);
        return quantizeRows(rows, x.size(), bucketSize, levels, signs);
    }

    /**
     * The same with given signs, one per value of the (buckets, P) padded matrix (tests use this to
     * look at the rotated domain).
     */
    NDArray quantizeWithSigns(NDArray x, int bucketSize, int levels, NDArray signs) {
        return quantizeRows(paddedRows(x, bucketSize), x.size(), bucketSize, levels, signs);
    }

    private NDArray quantizeRows(NDArray rows, long n, int bucketSize, int levels, NDArray signs) {
        NDArray rotated = rotate(rows.mul(signs));
        NDArray back = rotateBack(DjlStandard.roundRows(rotated, levels)).mul(signs);
        long buckets = rows.getShape().get(0);
        NDArray unpadded = back.getShape().get(1) == bucketSize ? back
                : back.get(new NDIndex(":, :{}", bucketSize));
        return DjlBuckets.flat(unpadded.reshape(buckets, bucketSize), n);
    }

    /** Buckets as rows, zero-padded to the power of two P at or above the bucket size. */
    static NDArray paddedRows(NDArray x, int bucketSize) {
        NDArray rows = DjlBuckets.rows(x, bucketSize, DjlBuckets.Pad.ZEROS);
        int p = paddedSize(bucketSize);
        if (p == bucketSize) {
            return rows;
        }
        long buckets = rows.getShape().get(0);
        return rows.concat(rows.getManager().zeros(new Shape(buckets, p - bucketSize)), 1);
    }

    /** The rotation H_a Y H_b of each row, returned in the transposed (b-by-a) order, flattened per row. */
    NDArray rotate(NDArray rows) {
        long buckets = rows.getShape().get(0);
        int p = (int) rows.getShape().get(1);
        int a = factorA(p);
        int b = p / a;
        NDArray yHb = rows.reshape(buckets * a, b).matMul(matrix(b));              // rows of Y times H_b
        NDArray transposed = yHb.reshape(buckets, a, b).transpose(0, 2, 1).reshape(buckets * b, a);
        return transposed.matMul(matrix(a)).reshape(buckets, p);                     // (H_a Y H_b)^T
    }

    /** The inverse of {@link #rotate}: H is symmetric and orthonormal, so the same products in reverse. */
    NDArray rotateBack(NDArray rotated) {
        long buckets = rotated.getShape().get(0);
        int p = (int) rotated.getShape().get(1);
        int a = factorA(p);
        int b = p / a;
        NDArray zHa = rotated.reshape(buckets * b, a).matMul(matrix(a));
        NDArray straight = zHa.reshape(buckets, b, a).transpose(0, 2, 1).reshape(buckets * a, b);
        return straight.matMul(matrix(b)).reshape(buckets, p);
    }

    /** The smallest power of two >= n. */
    static int paddedSize(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** a = 2^floor(log2(P)/2), so that a <= b = P/a <= 2a. */
    private static int factorA(int p) {
        return 1 << (Integer.numberOfTrailingZeros(p) / 2);
    }

    /** The orthonormal Sylvester Hadamard matrix of order n (a power of two), cached. */
    private NDArray matrix(int n) {
        return matrices.computeIfAbsent(n, size -> {
            float[] h = new float[size * size];
            float scale = (float) (1.0 / Math.sqrt(size));
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    // H[i][j] = (-1)^popcount(i & j) for the Sylvester construction
                    h[i * size + j] = Integer.bitCount(i & j) % 2 == 0 ? scale : -scale;
                }
            }
            return manager.create(h, new Shape(size, size));
        });
    }
}
