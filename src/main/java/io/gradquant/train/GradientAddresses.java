package io.gradquant.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.Backend;
import java.util.List;

/**
 * The memory addresses and lengths of a model's parameter gradients in model order, on whatever
 * device they live: the path by which GPU gradients reach a backend without a copy to the host.
 * The same code reads CPU gradients, which is how the tests exercise it without a GPU.
 */
final class GradientAddresses {
    private GradientAddresses() {
    }

    /**
     * Addresses of the gradients of every parameter of {@code block} that requires one.
     *
     * @param device the device the trainer trains on; the parameters must live there
     * @return the gradient arrays (keep them open while the addresses are in use) and their memory
     * @throws IllegalStateException naming the parameter, if a gradient is not float32, not on the
     *         training device, or not contiguous
     */
    static Gathered gather(Block block, Device device) {
        List<TrainableGradients.Gradient> all = TrainableGradients.of(block, device);
        long[] addresses = new long[all.size()];
        long[] lengths = new long[all.size()];
        try {
            for (int i = 0; i < all.size(); i++) {
                String name = all.get(i).name();
                NDArray gradient = all.get(i).gradient();
                if (gradient.getDataType() != DataType.FLOAT32) {
                    throw new IllegalStateException("gradient of parameter " + name + " is " + gradient.getDataType()
                            + ": only float32 gradients can be quantized");
                }
                TensorAddress.Memory memory = TensorAddress.of("gradient of parameter " + name, gradient);
                addresses[i] = memory.address();
                lengths[i] = memory.bytes() / Float.BYTES;
            }
        } catch (RuntimeException e) {
            TrainableGradients.close(all);
            throw e;
        }
        return new Gathered(all.stream().map(TrainableGradients.Gradient::gradient).toList(), addresses, lengths);
    }

    /**
     * Refuses a backend whose addresses point into another kind of memory than {@code device}'s
     * (using them would crash the JVM), or that takes no addresses.
     *
     * @throws IllegalStateException naming the backend and the one to use
     */
    static void requireBackend(Backend backend, Device device) {
        AddressBackend.Memory needed = device.isGpu() ? AddressBackend.Memory.CUDA_DEVICE : AddressBackend.Memory.HOST;
        String use = device.isGpu() ? "cuda" : "cpu";
        if (!(backend instanceof AddressBackend a)) {
            throw new IllegalStateException("gradients on " + device + " are handed over by address, which backend "
                    + backend.name() + " cannot take: use " + use);
        }
        if (a.memory() != needed) {
            throw new IllegalStateException("backend " + a.name() + " works on " + a.memory() + " memory but the"
                    + " gradients are on " + device + ": use " + use);
        }
    }

    /**
     * One step's gradient arrays and their memory, in model order. Closing releases the arrays'
     * handles (the memory belongs to the parameters); the addresses stay valid only while the
     * parameters do.
     */
    record Gathered(List<NDArray> gradients, long[] addresses, long[] lengths) implements AutoCloseable {
        @Override
        public void close() {
            gradients.forEach(NDArray::close);
        }
    }
}
