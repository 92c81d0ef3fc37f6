package io.gradquant.harness;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.gradquant.distributed.Collectives;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A model's initial parameters, drawn once from the seed and loaded into every run of a
 * comparison, so that all quantizers (and the variance probe) start from the same weights.
 * Stored in DJL's own parameter format, in memory. Data-parallel workers all start from rank 0's
 * draw ({@link #broadcast}).
 */
final class InitialState {
    private final byte[] parameters;
    private final String shapes;

    private InitialState(byte[] parameters, String shapes) {
        this.parameters = parameters;
        this.shapes = shapes;
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
            StringBuilder shapes = new StringBuilder();
            block.getParameters().forEach(p -> shapes.append(p.getKey()).append(' ')
                    .append(p.getValue().getArray().getShape()).append('\n'));
            return new InitialState(bytes.toByteArray(), shapes.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the initial parameters", e);
        }
    }

    /**
     * Rank 0's state on every rank: its size, then its bytes, go out from rank 0; what the other
     * ranks pass is replaced.
     */
    InitialState broadcast(Collectives workers) {
        ByteBuffer size = ByteBuffer.allocateDirect(Long.BYTES);
        size.putLong(0, parameters.length);
        workers.broadcast(size, 0);
        long bytes = size.getLong(0);
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("rank 0 announced initial parameters of " + bytes
                    + " bytes: more than a Java array holds");
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) bytes);
        if (workers.rank() == 0) {
            buffer.put(0, parameters);
        }
        workers.broadcast(buffer, 0);
        byte[] received = new byte[(int) bytes];
        buffer.get(0, received);
        return new InitialState(received, shapes);
    }

    /** The parameters' names and shapes in model order, one "name shape" per line. */
    String shapes() {
        return shapes;
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
