package io.gradquant.train;

/** How {@link QuantizingListener} and {@link ExchangingListener} hand gradient memory to the backend. */
public enum GradientAccess {
    /** {@link #VIEWS} for CPU training, {@link #ADDRESSES} for GPU training. */
    AUTO,
    /**
     * Zero-copy {@code FloatBuffer} views of CPU gradients, checked to write through; works with
     * the java and cpu backends.
     */
    VIEWS,
    /**
     * Raw data pointers of the gradient tensors, on any device, handed to a backend that takes
     * addresses ({@link io.gradquant.backend.AddressBackend}): cpu for CPU tensors, cuda for GPU tensors.
     */
    ADDRESSES
}
