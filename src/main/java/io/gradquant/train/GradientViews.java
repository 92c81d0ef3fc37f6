package io.gradquant.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import io.gradquant.Segments;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writable, zero-copy float views of a model's parameter gradients in model order, for quantizing
 * them in place on the CPU.
 *
 * <p>DJL's {@code NDArray.toByteBuffer(true)} returns a view of a contiguous CPU tensor's memory but
 * silently returns a copy of a non-contiguous one, and writing into a copy would leave the gradient
 * that the optimizer uses untouched. So every view whose memory address was not seen before for
 * its parameter is checked by writing through it and reading the tensor back. Gradient tensors
 * keep their memory from step to step (DJL's SGD zeroes them in place), so the check runs about
 * once per parameter.
 */
public final class GradientViews {
    /** Parameter id to the address last proven to be that parameter's gradient memory. */
    private final Map<String, Long> verified = new HashMap<>();

    /**
     * Views of the gradients of every parameter of {@code block} that requires one, in model order.
     *
     * @param device the device the trainer trains on; the parameters must live there
     * @return the gradient arrays and their views; close it after use (it closes the arrays, not the memory)
     * @throws IllegalStateException naming the parameter, if a gradient is not float32, not on the CPU,
     *         not on the training device, or cannot be viewed without a copy
     */
    public Gathered gather(Block block, Device device) {
        List<TrainableGradients.Gradient> all = TrainableGradients.of(block, device);
        List<FloatBuffer> views = new ArrayList<>();
        try {
            for (TrainableGradients.Gradient g : all) {
                views.add(view(g.id(), g.name(), g.gradient()));
            }
        } catch (RuntimeException e) {
            TrainableGradients.close(all);
            throw e;
        }
        return new Gathered(all.stream().map(TrainableGradients.Gradient::gradient).toList(), Segments.of(views));
    }

    private FloatBuffer view(String id, String name, NDArray gradient) {
        if (gradient.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("gradient of parameter " + name + " is " + gradient.getDataType()
                    + ": only float32 gradients can be quantized");
        }
        if (!gradient.getDevice().equals(Device.cpu())) {
            throw new IllegalStateException("gradient of parameter " + name + " is on " + gradient.getDevice()
                    + ": this path quantizes CPU gradients only");
        }
        ByteBuffer bytes = gradient.toByteBuffer(true);
        if (!bytes.isDirect() || bytes.isReadOnly()) {
            throw new IllegalStateException("gradient of parameter " + name + " has no writable direct view");
        }
        FloatBuffer floats = bytes.asFloatBuffer();
        long address = BufferAddress.of(floats);
        Long known = verified.get(id);
        if (known == null || known != address) {
            checkWritesThrough(name, gradient, floats);
            verified.put(id, address);
        }
        return floats;
    }

    /** Writes a different value into element 0 of the view and requires the tensor to show it. */
    private static void checkWritesThrough(String name, NDArray gradient, FloatBuffer view) {
        if (view.limit() == 0) {
            return;
        }
        float original = view.get(0);
        float probe = original == 1f ? 2f : 1f;
        view.put(0, probe);
        float seen;
        try (NDArray flat = gradient.flatten(); NDArray first = flat.get(0)) {
            seen = first.getFloat();
        } finally {
            view.put(0, original);
        }
        if (Float.floatToRawIntBits(seen) != Float.floatToRawIntBits(probe)) {
            throw new IllegalStateException("gradient of parameter " + name + " (shape " + gradient.getShape()
                    + ") is not a contiguous tensor: DJL gave a copy instead of a view of its memory, so quantizing"
                    + " would not change the gradient the optimizer uses");
        }
    }

    /**
     * The gradient arrays of one step and views of their memory as {@link Segments}, in model order.
     * Closing releases the arrays' handles; the gradient memory belongs to the parameters.
     */
    public static final class Gathered implements AutoCloseable {
        private final List<NDArray> gradients;
        private final Segments segments;

        private Gathered(List<NDArray> gradients, Segments segments) {
            this.gradients = gradients;
            this.segments = segments;
        }

        /** The gradient arrays, in model order. */
        public List<NDArray> gradients() {
            return gradients;
        }

        /** Writable views of the gradients, one segment per array, in model order. */
        public Segments segments() {
            return segments;
        }

        @Override
        public void close() {
            gradients.forEach(NDArray::close);
        }
    }
}
