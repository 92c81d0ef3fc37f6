package io.gradquant.distributed;

import io.gradquant.backend.NativeLibrary;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * This process's MPI world: every process started by {@code mpirun} (or another MPI launcher) is one
 * rank; a JVM started without one is a world of one rank. MPI is initialised at the first
 * {@link #get()} (MPI_Init_thread, MPI_THREAD_SERIALIZED: calls are serialised here) and ended by
 * {@link #exit(int)}, which the command line calls before the JVM exits.
 *
 * <p>Ending matters on a multi-rank run: a rank that fails must not leave the others waiting in a
 * collective. {@link #exit(int)} with a non-zero code therefore calls MPI_Abort, which ends every
 * rank of the job; with 0 it calls MPI_Finalize. A rank killed outright (SIGKILL, out of memory)
 * calls neither: mpirun sees it die and ends the others. The shutdown hook finalises a world of
 * one rank only; on a multi-rank world a JVM that exits another way (SIGTERM from mpirun, for
 * example) leaves MPI alone, and mpirun ends the job.
 *
 * <p>The library (libgradquant_mpi.so, in the jar) is loaded only here, so nothing else needs MPI
 * installed.
 */
public final class MpiWorld implements Collectives {
    /** Environment variables of which one is set in every process an MPI launcher starts. */
    private static final List<String> LAUNCHER_VARIABLES =
            List.of("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK", "MPI_LOCALNRANKS");

    private static MpiWorld instance;
    private static boolean loaded;

    private final int rank;
    private final int size;
    private boolean ended;
    private long bytesSent;
    private ByteBuffer gatherBuffer = ByteBuffer.allocateDirect(0);
    private ByteBuffer alltoallBuffer = ByteBuffer.allocateDirect(0);

    private MpiWorld(int rank, int size) {
        this.rank = rank;
        this.size = size;
    }

    /**
     * The world, initialising MPI on the first call.
     *
     * @throws MpiException if the library cannot be loaded (the message says what to install) or
     *         MPI_Init_thread fails
     */
    public static synchronized MpiWorld get() {
        if (instance != null) {
            if (instance.ended) {
                throw new MpiException("MPI was already finalised in this process: it cannot be used again");
            }
            return instance;
        }
        String reason = loadLibrary();
        if (reason != null) {
            throw new MpiException(reason);
        }
        int[] init = MpiNative.init();
        if (init[2] < 2) { // MPI_THREAD_SINGLE 0, FUNNELED 1, SERIALIZED 2, MULTIPLE 3
            throw new MpiException("MPI granted thread level " + init[2] + ": gradquant needs MPI_THREAD_SERIALIZED (2)");
        }
        instance = new MpiWorld(init[0], init[1]);
        Runtime.getRuntime().addShutdownHook(new Thread(MpiWorld::finishSingleRank, "gradquant-mpi-finalize"));
        return instance;
    }

    /** True when an MPI launcher started this process (one of its environment variables is set). */
    public static boolean insideJob() {
        return LAUNCHER_VARIABLES.stream().anyMatch(v -> System.getenv(v) != null);
    }

    /**
     * Loads libgradquant_mpi.so (and with it Open MPI's libmpi) without initialising MPI.
     *
     * @return null when it loaded, else why not, in one sentence that says what to do (not cached:
     *         a later call tries again, for example after Open MPI was installed)
     */
    public static synchronized String loadLibrary() {
        if (loaded) {
            return null;
        }
        String loadError = null;
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        if (!os.equals("Linux/amd64")) {
            loadError = "the MPI library is built for Linux/amd64 only, this is " + os;
            return loadError;
        }
        if (!libraryInJar()) {
            loadError = "this gradquant was built without MPI (-Dgradquant.mpi=off): install Open MPI (Debian/Ubuntu: "
                    + MpiPackages.describe() + ") and build again (./gradquant rebuilds by itself once mpicxx is on the PATH)";
            return loadError;
        }
        try {
            System.load(NativeLibrary.extract(MpiNative.RESOURCE).toString());
            int version = MpiNative.abiVersion();
            if (version != MpiNative.ABI_VERSION) {
                loadError = "MPI library ABI version " + version + " does not match the Java side's " + MpiNative.ABI_VERSION
                        + ": rebuild gradquant";
            } else {
                loaded = true;
            }
        } catch (UnsatisfiedLinkError e) {
            loadError = "cannot load Open MPI (" + e.getMessage() + "): install it (Debian/Ubuntu: "
                    + MpiPackages.describe() + ")";
        } catch (Exception e) {
            loadError = "cannot load the MPI library: " + e.getMessage();
        }
        return loadError;
    }

    /** Whether this build carries the MPI library (it does not when built with -Dgradquant.mpi=off). */
    static boolean libraryInJar() {
        return MpiWorld.class.getResource(MpiNative.RESOURCE) != null;
    }

    /**
     * Ends MPI for a process about to exit with {@code code}, if it was initialised: MPI_Finalize
     * when the code is 0 or the world has one rank; otherwise MPI_Abort, which ends every rank of
     * the job with that code, so that no rank waits for this one. Does nothing if MPI was never
     * used. Call it after the error message has been printed.
     */
    public static void exit(int code) {
        MpiWorld world;
        synchronized (MpiWorld.class) {
            world = instance;
        }
        if (world == null) {
            return;
        }
        synchronized (world) {
            if (world.ended) {
                return;
            }
            world.ended = true;
            if (code != 0 && world.size > 1) {
                System.err.flush();
                System.out.flush();
                MpiNative.abort(code);
            } else {
                MpiNative.finish();
            }
        }
    }

    private static void finishSingleRank() {
        MpiWorld world;
        synchronized (MpiWorld.class) {
            world = instance;
        }
        // never wait for the world's lock on a multi-rank world: the main thread may hold it inside
        // a collective that will never complete (a peer died), and the JVM must still exit
        if (world.size > 1) {
            return;
        }
        synchronized (world) {
            if (!world.ended) {
                world.ended = true;
                MpiNative.finish();
            }
        }
    }

    /** The MPI library's version string. */
    public synchronized String libraryVersion() {
        return MpiNative.libraryVersion();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public synchronized long bytesSent() {
        return bytesSent;
    }

    @Override
    public synchronized void barrier() {
        usable();
        MpiNative.barrier();
    }

    @Override
    public synchronized void broadcast(ByteBuffer buffer, int root) {
        usable();
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " is not a rank: it must be in [0, " + size + ")");
        }
        int bytes = direct(buffer, "broadcast buffer");
        MpiNative.broadcast(buffer, buffer.position(), bytes, root);
        if (rank == root) {
            bytesSent += (long) bytes * (size - 1);
        }
    }

    @Override
    public synchronized List<ByteBuffer> allgather(ByteBuffer message) {
        usable();
        int bytes = direct(message, "allgather message");
        long[] sizes = new long[size];
        MpiNative.allgatherLong(bytes, sizes);
        bytesSent += (long) Long.BYTES * (size - 1);
        int[] counts = new int[size];
        int[] displs = new int[size];
        long total = 0;
        for (int j = 0; j < size; j++) {
            counts[j] = count(sizes[j], "the message size rank " + j + " announced");
            displs[j] = (int) total;
            total += counts[j];
            count(total, "the " + (j + 1) + " first messages of an allgather");
        }
        gatherBuffer = atLeast(gatherBuffer, total);
        MpiNative.allgatherv(message, message.position(), bytes, gatherBuffer, 0, counts, displs);
        bytesSent += (long) bytes * (size - 1);
        return views(gatherBuffer, counts, displs);
    }

    @Override
    public synchronized List<ByteBuffer> alltoall(ByteBuffer send, int[] blockBytes) {
        usable();
        if (blockBytes.length != size) {
            throw new IllegalArgumentException("alltoall got " + blockBytes.length + " block sizes for " + size + " ranks");
        }
        int available = direct(send, "alltoall send buffer");
        long[] out = new long[size];
        int[] sendDispls = new int[size];
        long total = 0;
        for (int j = 0; j < size; j++) {
            if (blockBytes[j] < 0) {
                throw new IllegalArgumentException("alltoall block " + j + " has " + blockBytes[j] + " bytes");
            }
            out[j] = blockBytes[j];
            sendDispls[j] = (int) total;
            total += blockBytes[j];
        }
        if (total > available) {
            throw new IllegalArgumentException("alltoall blocks take " + total + " bytes, the send buffer holds " + available);
        }
        long[] in = new long[size];
        MpiNative.alltoallLong(out, in);
        int[] recvCounts = new int[size];
        int[] recvDispls = new int[size];
        long received = 0;
        for (int j = 0; j < size; j++) {
            recvCounts[j] = count(in[j], "the block size rank " + j + " announced");
            recvDispls[j] = (int) received;
            received += recvCounts[j];
            count(received, "the " + (j + 1) + " first blocks of an alltoall");
        }
        alltoallBuffer = atLeast(alltoallBuffer, received);
        MpiNative.alltoallv(send, send.position(), blockBytes, sendDispls, alltoallBuffer, 0, recvCounts, recvDispls);
        for (int j = 0; j < size; j++) {
            if (j != rank) {
                bytesSent += Long.BYTES + (long) blockBytes[j];
            }
        }
        return views(alltoallBuffer, recvCounts, recvDispls);
    }

    @Override
    public synchronized void allreduceSum(FloatBuffer values) {
        usable();
        if (!values.isDirect() || values.isReadOnly()) {
            throw new IllegalArgumentException("allreduce needs a writable direct buffer");
        }
        if (values.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("allreduce needs a buffer in native byte order, this one is " + values.order());
        }
        int count = values.remaining();
        MpiNative.allreduceSumFloat(values, (long) values.position() * Float.BYTES, count);
        bytesSent += 2L * (size - 1) * count * Float.BYTES / size;
    }

    private void usable() {
        if (ended) {
            throw new MpiException("MPI was already finalised in this process");
        }
    }

    /** The bytes from position to limit of a direct buffer, as an MPI count. */
    private static int direct(Buffer buffer, String what) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(what + " must be a direct buffer");
        }
        return buffer.remaining();
    }

    /** A byte count as MPI's int count, or an error naming it. */
    private static int count(long bytes, String what) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new MpiException(what + " is " + bytes + " bytes: MPI counts must be in [0, " + Integer.MAX_VALUE + "]");
        }
        return (int) bytes;
    }

    private static ByteBuffer atLeast(ByteBuffer buffer, long bytes) {
        if (buffer.capacity() >= bytes) {
            return buffer;
        }
        // grow by half again, so that slowly growing messages do not reallocate every time
        long grown = Math.min(Integer.MAX_VALUE, Math.max(bytes, buffer.capacity() + (long) buffer.capacity() / 2));
        return ByteBuffer.allocateDirect((int) grown);
    }

    private static List<ByteBuffer> views(ByteBuffer buffer, int[] counts, int[] displs) {
        List<ByteBuffer> out = new ArrayList<>(counts.length);
        for (int j = 0; j < counts.length; j++) {
            out.add(buffer.slice(displs[j], counts[j]).order(ByteOrder.LITTLE_ENDIAN));
        }
        return Collections.unmodifiableList(out);
    }
}
