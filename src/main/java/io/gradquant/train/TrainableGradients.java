package io.gradquant.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/** The gradient arrays of a model's trainable parameters, in model order: what every gradient path starts from. */
final class TrainableGradients {
    private TrainableGradients() {
    }

    /**
     * A parameter's gradient.
     *
     * @param id       the parameter's uid (stable while the parameter lives)
     * @param name     its name in the block, for messages
     * @param gradient a new handle on its gradient; the caller closes it
     */
    record Gradient(String id, String name, NDArray gradient) {
    }

    /**
     * The gradients of every parameter of {@code block} that requires one (batch norm's running
     * statistics do not), in {@code block.getParameters()} order.
     *
     * @throws IllegalStateException naming the parameter, if it is not on the training device
     */
    static List<Gradient> of(Block block, Device device) {
        List<Gradient> gradients = new ArrayList<>();
        try {
            for (Pair<String, Parameter> entry : block.getParameters()) {
                Parameter parameter = entry.getValue();
                if (!parameter.requiresGradient()) {
                    continue;
                }
                NDArray array = parameter.getArray();
                if (!array.getDevice().equals(device)) {
                    // DJL's parameter store would then train a copy on the device, not this array.
                    throw new IllegalStateException("parameter " + entry.getKey() + " is on " + array.getDevice()
                            + " but training runs on " + device + ": initialise the model on the training device");
                }
                gradients.add(new Gradient(parameter.getId(), entry.getKey(), array.getGradient()));
            }
        } catch (RuntimeException e) {
            close(gradients);
            throw e;
        }
        return gradients;
    }

    /** Closes every gradient handle. */
    static void close(List<Gradient> gradients) {
        gradients.forEach(g -> g.gradient().close());
    }
}
