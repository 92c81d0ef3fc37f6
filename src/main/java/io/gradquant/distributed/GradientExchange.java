package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Data-parallel gradient averaging with compressed messages, the piece that runs between backward
 * and the optimizer step: {@link #average} replaces every rank's gradient with the same average
 * over the ranks. GRACE's split: the compressor is the quantizer with the wire format
 * (docs/wire-format.md, through {@link Backend#encode}/{@code decode}/{@code decodeAdd}), the memory
 * is error feedback, the communicator is the {@link Collective}.
 *
 * <pre>{@code
 * MpiWorld world = MpiWorld.get();
 * GradientExchange exchange = GradientExchange.builder(world, backend, spec)
 *         .collective(Collective.ALLGATHER).errorFeedback(false).minQuantizedSize(1024).build();
 * ConfigDigest.requireSame(world, merged(trainingFields, exchange.configuration()));
 * // every step, after backward:
 * ExchangeStats stats = exchange.average(step, gradients); // gradients: Segments in model order
 * // or, for GPU gradients with the cuda backend: exchange.average(step, addresses, lengths)
 * }</pre>
 *
 * <ul>
 * <li>Layer filter ({@code minQuantizedSize}, as CGX's): segments with fewer values travel as
 * float32, in one float32 allreduce; the others are compressed as one list of segments.
 * <li>Random streams: each rank's messages are keyed by the spec's seed mixed with the rank (and
 * chunk, for reduce-scatter) and by the step, so ranks round independently.
 * <li>Error feedback (optional): per-rank residual over the compressed segments, see
 * {@link ErrorFeedback}.
 * <li>A received message that fails the decoder's checks throws {@link RefusedMessageException}
 * naming rank, step and sender; it is never applied.
 * </ul>
 *
 * <p>Every rank must call {@link #average} with the same step and the same segment lengths (check
 * the configuration first with {@link ConfigDigest}). Not thread-safe.
 */
public final class GradientExchange {
    /** Default {@code minQuantizedSize}: CGX's layer_min_size. */
    public static final int DEFAULT_MIN_QUANTIZED_SIZE = 1024;

    private final Collectives world;
    private final Backend backend;
    private final QuantizerSpec spec;
    private final Collective collective;
    private final boolean errorFeedback;
    private final int minQuantizedSize;

    // set up at the first call, from the segment lengths
    private long[] lengths;
    private int[] compressedIndex;
    private int[] float32Index;
    private Communicator compressed;
    private Communicator float32;
    private ErrorFeedback memory;

    private GradientExchange(Builder b) {
        this.world = b.world;
        this.backend = b.backend;
        this.spec = b.spec;
        this.collective = b.collective;
        this.errorFeedback = b.errorFeedback;
        this.minQuantizedSize = b.minQuantizedSize;
        if (collective == Collective.ALLREDUCE && spec.type() != QuantizerType.NONE) {
            throw new IllegalArgumentException("collective allreduce sends float32 and cannot carry quantizer "
                    + spec.type().cliName() + ": use quantizer none with it, or collective allgather or reduce-scatter");
        }
        if (minQuantizedSize < 0) {
            throw new IllegalArgumentException("min quantized size " + minQuantizedSize + " is not allowed: it must be >= 0");
        }
    }

    /**
     * A builder with collective allgather, no error feedback and min quantized size 1024.
     *
     * @param world   the ranks ({@link MpiWorld#get()})
     * @param backend encodes and decodes the messages (java, cpu, ...)
     * @param spec    the quantizer; its seed is mixed with each rank's
     */
    public static Builder builder(Collectives world, Backend backend, QuantizerSpec spec) {
        return new Builder(world, backend, spec);
    }

    /**
     * The backend that encodes and decodes the messages and, for gradients given by address,
     * reaches their memory.
     */
    public Backend backend() {
        return backend;
    }

    /** The collective. */
    public Collective collective() {
        return collective;
    }

    /**
     * The fields of this exchange every rank must agree on, for {@link ConfigDigest#requireSame}:
     * quantizer spec, collective, error feedback, min quantized size, world size. The backend is
     * not one of them (every backend writes the same bytes); the parameter shapes are the caller's
     * to add (it knows the parameters).
     */
    public Map<String, String> configuration() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("quantizer", spec.toString());
        fields.put("collective", collective.cliName());
        fields.put("error feedback", Boolean.toString(errorFeedback));
        fields.put("min quantized size", Integer.toString(minQuantizedSize));
        fields.put("world size", Integer.toString(world.size()));
        return fields;
    }

    /**
     * Replaces {@code gradients} with their average over the ranks, the same on every rank.
     *
     * @param step      the training step, the same on every rank (keys the random streams)
     * @param gradients this rank's gradients, writable direct native-order buffers, in model order;
     *                  the same lengths at every call and on every rank
     * @throws IllegalArgumentException if the lengths differ from the first call's
     * @throws RefusedMessageException  if a received message fails the decoder's checks
     * @throws MpiException             if an MPI call fails
     */
    public ExchangeStats average(long step, Segments gradients) {
        return average(step, GradientMemory.host(backend, gradients));
    }

    /**
     * {@link #average(long, Segments)} of float32 gradients given by address in the memory of the
     * exchange's backend, an {@link AddressBackend}: with the cuda backend, GPU memory, of which
     * only the messages (and the float32 values of the small segments, or of allreduce) are copied
     * to the host for MPI. The averages are bit for bit those of the host path. Collectives
     * allgather and allreduce only, without error feedback (reduce-scatter and the residual work
     * on host buffers).
     *
     * @param addresses segment i's memory ({@code lengths[i]} floats), valid and writable on this
     *                  backend's memory during the call
     * @throws IllegalStateException    before anything is sent or written, if the backend takes no
     *                                  addresses, the collective is reduce-scatter or error
     *                                  feedback is on
     * @throws IllegalArgumentException if the arrays differ in length, or the lengths from the first
     *                                  call's
     */
    public ExchangeStats average(long step, long[] addresses, long[] lengths) {
        if (!(backend instanceof AddressBackend addressBackend)) {
            throw new IllegalStateException("backend " + backend.name() + " takes no memory addresses: gradients given"
                    + " by address need the cpu backend (host memory) or the cuda backend (GPU memory)");
        }
        if (collective == Collective.REDUCE_SCATTER || errorFeedback) {
            throw new IllegalStateException("gradients given by address are exchanged with collective allgather or"
                    + " allreduce and without error feedback; this exchange has collective " + collective.cliName()
                    + (errorFeedback ? " with error feedback" : "") + ", which works on host buffers only");
        }
        return average(step, GradientMemory.at(addressBackend, addresses, lengths));
    }

    private ExchangeStats average(long step, GradientMemory gradients) {
        long sentBefore = world.bytesSent();
        setUp(gradients.lengths());
        StepClock clock = new StepClock();
        if (compressedIndex.length > 0) {
            compressed.average(step, gradients.pick(compressedIndex), memory, clock);
        }
        if (float32Index.length > 0) {
            float32.average(step, gradients.pick(float32Index), null, clock);
        }
        return new ExchangeStats(world.bytesSent() - sentBefore, clock.messageBytes, clock.float32Bytes,
                clock.encodeNanos / 1e9, clock.communicateNanos / 1e9, clock.decodeNanos / 1e9, clock.stats);
    }

    /** The error-feedback residual of the compressed segments, in order; null without error feedback. */
    Segments residual() {
        return memory == null ? null : memory.residual();
    }

    private void setUp(long[] now) {
        if (lengths != null) {
            if (!Arrays.equals(lengths, now)) {
                throw new IllegalArgumentException("gradient segment lengths " + Arrays.toString(now)
                        + " differ from the first exchange's " + Arrays.toString(lengths));
            }
            return;
        }
        List<Integer> small = new ArrayList<>();
        List<Integer> large = new ArrayList<>();
        for (int i = 0; i < now.length; i++) {
            if (collective == Collective.ALLREDUCE || now[i] < minQuantizedSize) {
                small.add(i);
            } else {
                large.add(i);
            }
        }
        compressedIndex = large.stream().mapToInt(Integer::intValue).toArray();
        float32Index = small.stream().mapToInt(Integer::intValue).toArray();
        long[] compressedLengths = Arrays.stream(compressedIndex).mapToLong(i -> now[i]).toArray();
        if (compressedIndex.length > 0) {
            compressed = collective == Collective.REDUCE_SCATTER
                    ? new ReduceScatterCommunicator(world, backend, spec, compressedLengths)
                    : new AllgatherCommunicator(world, spec, compressedLengths);
            memory = errorFeedback ? new ErrorFeedback(compressedLengths) : null;
        }
        if (float32Index.length > 0) {
            float32 = new AllreduceCommunicator(world, Arrays.stream(float32Index).mapToLong(i -> now[i]).sum());
        }
        lengths = now;
    }

    /** Builder for {@link GradientExchange}. */
    public static final class Builder {
        private final Collectives world;
        private final Backend backend;
        private final QuantizerSpec spec;
        private Collective collective = Collective.ALLGATHER;
        private boolean errorFeedback;
        private int minQuantizedSize = DEFAULT_MIN_QUANTIZED_SIZE;

        private Builder(Collectives world, Backend backend, QuantizerSpec spec) {
            this.world = Objects.requireNonNull(world, "world");
            this.backend = Objects.requireNonNull(backend, "backend");
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        /** How the gradients meet (default allgather). */
        public Builder collective(Collective v) {
            collective = Objects.requireNonNull(v, "collective");
            return this;
        }

        /** Keep a residual and compress gradient + residual (default off). */
        public Builder errorFeedback(boolean v) {
            errorFeedback = v;
            return this;
        }

        /** Segments with fewer values travel as float32 (default 1024; 0 compresses everything). */
        public Builder minQuantizedSize(int v) {
            minQuantizedSize = v;
            return this;
        }

        /**
         * @throws IllegalArgumentException for allreduce with a quantizer other than none, or a
         *         negative min quantized size
         */
        public GradientExchange build() {
            return new GradientExchange(this);
        }
    }
}
