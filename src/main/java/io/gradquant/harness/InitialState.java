package io.gradquant.harness;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A model's initial parameters, drawn once from the seed and loaded into every run of a
 * comparison, so that all quantizers (and the variance probe) start from the same weights.
 * Stored in DJL's own parameter format, in memory.
 */
final class InitialState {
    private final byte[] parameters;

    private InitialState(byte[] parameters) {
        this.parameters = parameters;
    }

    /** Initialises a new {@code model} block for {@code input} from {@code seed} and keeps its parameters. */
    static InitialState draw(ModelKind model, int classes, Shape input, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Block block = model.newBlock(classes);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, input);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                block.saveParameters(out);
            }
            return new InitialState(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the initial parameters", e);
        }
    }

    /**
     * Loads the parameters into an uninitialised block of the same architecture. DJL's
     * {@code Trainer.initialize} then keeps them (it only initialises parameters without an array).
     */
    void loadInto(Block block, NDManager manager) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("cannot load the initial parameters: " + e.getMessage(), e);
        }
    }
}
