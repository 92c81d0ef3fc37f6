package io.gradquant.io;

import java.nio.FloatBuffer;

/**
 * A float32 array read from a .npy file.
 *
 * @param shape the array's shape (empty for a 0-d array); the product of its entries is
 *              {@code data.limit()}
 * @param data  the values in C order, flattened, in a direct native-order buffer (positioned at 0)
 */
public record NpyArray(long[] shape, FloatBuffer data) {
    /** Number of elements. */
    public long size() {
        return data.limit();
    }
}
