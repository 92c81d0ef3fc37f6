package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class GradientViewsTest {
    /** A block whose only parameter is {@code array}, with a gradient of 2 everywhere. */
    private static OneParameter withGradient(NDArray array) {
        OneParameter block = new OneParameter(array);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(array.mul(2).sum());
        }
        return block;
    }

    @Test
    void viewsWriteThroughToTheGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OneParameter block = withGradient(manager.randomNormal(new Shape(3, 4)));
            GradientViews views = new GradientViews();
            for (int round = 0; round < 2; round++) { // the second round takes the verified-address path
                try (GradientViews.Gathered gathered = views.gather(block, Device.cpu())) {
                    FloatBuffer view = gathered.segments().segment(0);
                    assertEquals(12, view.limit());
                    assertEquals(round == 0 ? 2f : 7f, view.get(5), 0f);
                    view.put(5, 7f + round);
                }
                try (NDArray gradient = block.parameter.getArray().getGradient()) {
                    assertEquals(7f + round, gradient.toFloatArray()[5], 0f);
                }
            }
        }
    }

    @Test
    void nonContiguousGradientIsRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // PyTorch gives a parameter with transposed strides a gradient with the same strides,
            // for which DJL's toByteBuffer(true) silently returns a copy.
            NDArray transposed = manager.randomNormal(new Shape(4, 3)).transpose();
            OneParameter block = withGradient(transposed);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new GradientViews().gather(block, Device.cpu()));
            assertTrue(e.getMessage().contains("gradient of parameter only (shape (3, 4)) is not a contiguous tensor"),
                    e.getMessage());
        }
    }

    @Test
    void addressesOfAGradientPointAtItsMemory() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OneParameter block = withGradient(manager.randomNormal(new Shape(3, 4)));
            try (GradientViews.Gathered views = new GradientViews().gather(block, Device.cpu());
                    GradientAddresses.Gathered addresses = GradientAddresses.gather(block, Device.cpu())) {
                assertEquals(BufferAddress.of(views.segments().segment(0)), addresses.addresses()[0]);
                assertEquals(12, addresses.lengths()[0]);
            }
        }
    }

    @Test
    void addressOfANonContiguousGradientIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OneParameter block = withGradient(manager.randomNormal(new Shape(4, 3)).transpose());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GradientAddresses.gather(block, Device.cpu()));
            assertTrue(e.getMessage().startsWith("gradient of parameter only (shape (3, 4), cpu()) has no usable data"
                    + " pointer: torchDirectByteBuffer() requires the tensor to be contiguous"), e.getMessage());
        }
    }

    @Test
    void nonFloat32GradientIsRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OneParameter block = withGradient(manager.randomNormal(new Shape(2, 2)).toType(DataType.FLOAT64, false));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new GradientViews().gather(block, Device.cpu()));
            assertEquals("gradient of parameter only is float64: only float32 gradients can be quantized",
                    e.getMessage());
        }
    }

    @Test
    void parameterOffTheTrainingDeviceIsRejected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            OneParameter block = withGradient(manager.randomNormal(new Shape(2)));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new GradientViews().gather(block, Device.gpu(3)));
            assertTrue(e.getMessage().startsWith("parameter only is on cpu() but training runs on gpu(3)"),
                    e.getMessage());
        }
    }

    /** A block with a single weight named "only" that returns its input. */
    private static final class OneParameter extends AbstractBlock {
        final Parameter parameter;

        OneParameter(NDArray array) {
            parameter = addParameter(Parameter.builder().setName("only").setType(Parameter.Type.WEIGHT).build());
            parameter.setArray(array);
            array.setRequiresGradient(true);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
