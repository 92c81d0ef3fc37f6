package io.gradquant.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/** A world of one rank without MPI, for testing the exchange's logic inside the test JVM. */
final class LocalWorld implements Collectives {
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public void broadcast(ByteBuffer buffer, int root) {
    }

    @Override
    public List<ByteBuffer> allgather(ByteBuffer message) {
        return List.of(copy(message));
    }

    @Override
    public List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes) {
        return List.of(copy(send.duplicate().limit(send.position() + blockBytes[0])));
    }

    @Override
    public void allreduceSum(FloatBuffer values) {
    }

    @Override
    public void barrier() {
    }

    @Override
    public long bytesSent() {
        return 0;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocateDirect(b.remaining());
        c.put(b.duplicate()).flip();
        return c.order(ByteOrder.LITTLE_ENDIAN);
    }
}
