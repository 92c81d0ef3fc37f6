package io.gradquant.harness;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.gradquant.Segments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Host copies of a model's gradients in model order, with the same segment layout as the
 * gradients themselves (so buckets that span tensors span the same ones), plus a work copy that a
 * quantizer may overwrite. The gradients are only read: the optimizer step that follows uses them
 * untouched. Buffers are allocated on the first step and reused.
 */
final class GradientCopy {
    private FloatBuffer[] original;
    private FloatBuffer[] work;

    /** Copies the current gradients of every trainable parameter of {@code block} (from any device). */
    void capture(Block block) {
        List<float[]> gradients = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                try (NDArray g = p.getArray().getGradient()) {
                    gradients.add(g.toFloatArray());
                }
            }
        }
        if (original == null) {
            original = new FloatBuffer[gradients.size()];
            work = new FloatBuffer[gradients.size()];
            for (int i = 0; i < gradients.size(); i++) {
                original[i] = direct(gradients.get(i).length);
                work[i] = direct(gradients.get(i).length);
            }
        }
        for (int i = 0; i < gradients.size(); i++) {
            original[i].clear();
            original[i].put(gradients.get(i)).flip();
        }
    }

    /** Resets the work copy to the captured gradients and returns it, ready to quantize in place. */
    Segments freshWork() {
        for (int i = 0; i < original.length; i++) {
            work[i].clear();
            work[i].put(original[i].duplicate()).flip();
        }
        return Segments.of(work);
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
