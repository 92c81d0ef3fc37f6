package io.gradquant.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
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
        List<NDArray> gradients = new ArrayList<>();
        List<Long> addresses = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        try {
            for (Pair<String, Parameter> entry : block.getParameters()) {
                Parameter parameter = entry.getValue();
                if (!parameter.requiresGradient()) {
                    continue; // e.g. batch norm's running mean and variance
                }
                String name = entry.getKey();
                NDArray array = parameter.getArray();
                if (!array.getDevice().equals(device)) {
                    throw new IllegalStateException("parameter " + name + " is on " + array.getDevice()
                            + " but training runs on " + device + ": initialise the model on the training device");
                }
                NDArray gradient = array.getGradient();
                gradients.add(gradient);
                if (gradient.getDataType() != DataType.FLOAT32) {
                    throw new IllegalStateException("gradient of parameter " + name + " is " + gradient.getDataType()
                            + ": only float32 gradients can be quantized");
                }
                TensorAddress.Memory memory = TensorAddress.of("gradient of parameter " + name, gradient);
                addresses.add(memory.address());
                lengths.add(memory.bytes() / Float.BYTES);
            }
        } catch (RuntimeException e) {
            gradients.forEach(NDArray::close);
            throw e;
        }
        return new Gathered(gradients, addresses.stream().mapToLong(Long::longValue).toArray(),
                lengths.stream().mapToLong(Long::longValue).toArray());
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
