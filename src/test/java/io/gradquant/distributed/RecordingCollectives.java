package io.gradquant.distributed;

import io.gradquant.codec.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Passes every call to the real world and keeps its own account of what was handed over: the
 * bytes sent by the rule {@link Collectives} documents, from the sizes of the buffers passed, and
 * the total length of the wire-format messages among them (each one checked to be a whole message:
 * magic, and the length field equal to its size).
 */
final class RecordingCollectives implements Collectives {
    private final Collectives world;
    long expectedBytesSent;
    long messageBytes;
    int notWholeMessages;

    RecordingCollectives(Collectives world) {
        this.world = world;
    }

    private void message(ByteBuffer b) {
        if (b.remaining() == 0) {
            return; // an empty chunk's empty message
        }
        ByteBuffer m = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (m.remaining() < WireFormat.HEADER_BYTES || m.getInt(WireFormat.AT_MAGIC) != WireFormat.MAGIC
                || m.getLong(WireFormat.AT_LENGTH) != m.remaining()) {
            notWholeMessages++;
        }
        messageBytes += m.remaining();
    }

    @Override
    public int rank() {
        return world.rank();
    }

    @Override
    public int size() {
        return world.size();
    }

    @Override
    public void broadcast(ByteBuffer buffer, int root) {
        world.broadcast(buffer, root);
        if (rank() == root) {
            expectedBytesSent += (long) buffer.remaining() * (size() - 1);
        }
    }

    @Override
    public List<ByteBuffer> allgather(ByteBuffer message) {
        message(message);
        expectedBytesSent += (long) (Long.BYTES + message.remaining()) * (size() - 1);
        return world.allgather(message);
    }

    @Override
    public List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes) {
        int at = send.position();
        for (int j = 0; j < blockBytes.length; j++) {
            message(send.duplicate().position(at).limit(at + blockBytes[j]));
            if (j != rank()) {
                expectedBytesSent += Long.BYTES + blockBytes[j];
            }
            at += blockBytes[j];
        }
        return world.alltoall(send, blockBytes);
    }

    @Override
    public void allreduceSum(FloatBuffer values) {
        expectedBytesSent += 2L * (size() - 1) * values.remaining() * Float.BYTES / size();
        world.allreduceSum(values);
    }

    @Override
    public void barrier() {
        world.barrier();
    }

    @Override
    public long bytesSent() {
        return world.bytesSent();
    }
}
