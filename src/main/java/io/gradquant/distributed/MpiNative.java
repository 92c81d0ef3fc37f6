package io.gradquant.distributed;

import java.nio.Buffer;

/**
 * The JNI surface of libgradquant_mpi.so (native/mpi/gq_mpi_jni.cpp), a thin layer over Open MPI.
 * Every MPI call there runs on a duplicate of MPI_COMM_WORLD whose error handler is
 * MPI_ERRORS_RETURN, and every return code is checked: a failure throws {@link MpiException}
 * naming the call and MPI's error string. Buffers are direct NIO buffers, passed as objects (so they
 * stay reachable during the call) with byte offsets; the Java side ({@link MpiWorld}) checks every
 * range and count before calling. Not thread-safe: MPI is initialised with MPI_THREAD_SERIALIZED
 * and {@link MpiWorld} serialises the calls.
 */
final class MpiNative {
    /** Must equal ABI_VERSION in native/mpi/gq_mpi_jni.cpp. */
    static final int ABI_VERSION = 1;
    /** Where the Maven build puts the library in the jar. */
    static final String RESOURCE = "/native/linux-x86_64/libgradquant_mpi.so";

    private MpiNative() {
    }

    static native int abiVersion();

    /** The MPI library's version string (MPI_Get_library_version). Callable before {@link #init()}. */
    static native String libraryVersion();

    /**
     * MPI_Init_thread (MPI_THREAD_SERIALIZED), unless MPI is already initialised, then duplicates
     * MPI_COMM_WORLD with MPI_ERRORS_RETURN.
     *
     * @return {rank, size, the thread level MPI provided}
     */
    static native int[] init();

    /** Frees the duplicate communicator and calls MPI_Finalize. */
    static native void finish();

    /** MPI_Abort on MPI_COMM_WORLD: ends every rank of the job with {@code code}. Does not return normally. */
    static native void abort(int code);

    static native void barrier();

    /** MPI_Bcast of {@code bytes} bytes at {@code offset} of {@code buffer} from {@code root}. */
    static native void broadcast(Buffer buffer, long offset, int bytes, int root);

    /** MPI_Allgather of one 64-bit value per rank into {@code out} (length = world size). */
    static native void allgatherLong(long value, long[] out);

    /** MPI_Alltoall of one 64-bit value per rank: {@code send[j]} goes to rank j, {@code recv[j]} came from it. */
    static native void alltoallLong(long[] send, long[] recv);

    /**
     * MPI_Allgatherv of bytes: this rank's {@code sendBytes} at {@code sendOffset}; rank j's arrive at
     * {@code recvOffset + displs[j]}, {@code counts[j]} bytes.
     */
    static native void allgatherv(Buffer send, long sendOffset, int sendBytes, Buffer recv, long recvOffset,
            int[] counts, int[] displs);

    /** MPI_Alltoallv of bytes: block j of the send side goes to rank j, block j of the receive side came from it. */
    static native void alltoallv(Buffer send, long sendOffset, int[] sendCounts, int[] sendDispls, Buffer recv,
            long recvOffset, int[] recvCounts, int[] recvDispls);

    /** In-place MPI_Allreduce (MPI_SUM) of {@code count} float32 values at byte {@code offset}. */
    static native void allreduceSumFloat(Buffer buffer, long offset, int count);
}
