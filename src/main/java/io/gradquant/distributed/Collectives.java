package io.gradquant.distributed;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The collective operations the communicators and the training harness use, over the ranks of one
 * job. {@link MpiWorld} implements them with Open MPI; tests wrap it to inject faults.
 *
 * <p>Every rank must make the same calls in the same order (they are collective). Buffers are
 * direct; the bytes used are those from the buffer's position to its limit, and positions are not
 * changed. Buffers returned by {@link #allgather} and {@link #alltoall} are little-endian views
 * of memory the implementation reuses (do not write to them): they are valid until the next call of
 * the same method.
 *
 * <p>{@link #bytesSent()} counts what this rank hands to MPI for other ranks, at each call: for an
 * allgather, its message (and its 8-byte size) once per other rank; for an alltoall, the blocks
 * (and 8-byte sizes) addressed to other ranks; for a broadcast, the buffer once per other rank at
 * the root; for a float32 allreduce of B bytes, {@code 2 (N-1) B / N}, what the bandwidth-optimal
 * (ring) algorithm sends per rank, whichever algorithm MPI picks.
 */
public interface Collectives {
    /** This process's rank, 0 to {@code size() - 1}. */
    int rank();

    /** The number of ranks in the job. */
    int size();

    /** Copies the root's bytes into every rank's buffer; every rank passes the same number of bytes. */
    void broadcast(ByteBuffer buffer, int root);

    /**
     * Every rank's message to every rank; the messages may differ in size (sizes travel first).
     *
     * @return the N messages in rank order (this rank's own included)
     */
    List<ByteBuffer> allgather(ByteBuffer message);

    /**
     * Personalised exchange: {@code send} holds N consecutive blocks from its position, block j of
     * {@code blockBytes[j]} bytes for rank j.
     *
     * @return the N blocks addressed to this rank, in sender order (the block to itself included)
     */
    List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes);

    /** Replaces the values from position to limit with their float32 sum over all ranks (MPI_SUM); the same on every rank. */
    void allreduceSum(FloatBuffer values);

    /** Returns when every rank has called it. */
    void barrier();

    /** Bytes this rank has sent to other ranks through this object, counted as the class comment says. */
    long bytesSent();
}
