package io.gradquant.harness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.backend.Backend;
import io.gradquant.distributed.Collective;
import io.gradquant.distributed.Collectives;
import io.gradquant.distributed.GradientExchange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * This process's part in data-parallel training (docs/distributed.md): its rank among the workers,
 * the collectives they share, and how gradients travel between them. Every rank trains; rank 0
 * writes the results.
 *
 * <p>What the ranks agree on besides the gradients, each through one small collective: the mean
 * loss and quantization statistics of every step (so that every rank takes the same decision on a
 * non-finite loss), batch norm's running statistics at the end of each epoch (averaged, so that
 * the models stay identical and rank 0 evaluates what every rank holds), the test accuracy (each
 * rank evaluates its share of the test set) and the final checksums.
 */
public final class DataParallel {
    private final Collectives workers;
    private final Collective collective;
    private final boolean errorFeedback;
    private final int minQuantizedSize;

    /**
     * @param workers          the ranks of the job
     * @param collective       how gradients travel, or null for the default per quantizer
     *                         ({@link #collectiveFor})
     * @param errorFeedback    whether compressing quantizers keep a residual
     * @param minQuantizedSize tensors with fewer values travel as float32
     */
    public DataParallel(Collectives workers, Collective collective, boolean errorFeedback, int minQuantizedSize) {
        if (minQuantizedSize < 0) {
            throw new IllegalArgumentException("min quantized size " + minQuantizedSize + " is not allowed: it must"
                    + " be >= 0");
        }
        this.workers = workers;
        this.collective = collective;
        this.errorFeedback = errorFeedback;
        this.minQuantizedSize = minQuantizedSize;
    }

    /** The collectives of the job. */
    public Collectives workers() {
        return workers;
    }

    /** This process's rank. */
    public int rank() {
        return workers.rank();
    }

    /** The number of workers. */
    public int size() {
        return workers.size();
    }

    /** Whether this rank writes the results (rank 0). */
    public boolean writesResults() {
        return workers.rank() == 0;
    }

    /**
     * The collective a run of {@code quantizer} uses: the one asked for, or by default float32
     * allreduce for quantizer none (the uncompressed baseline) and allgather for the others.
     */
    public Collective collectiveFor(QuantizerType quantizer) {
        if (collective != null) {
            return collective;
        }
        return quantizer == QuantizerType.NONE ? Collective.ALLREDUCE : Collective.ALLGATHER;
    }

    /** Whether a run of {@code quantizer} keeps an error-feedback residual (never for none: it has no error). */
    public boolean errorFeedbackFor(QuantizerType quantizer) {
        return errorFeedback && quantizer != QuantizerType.NONE;
    }

    /** Tensors with fewer values travel as float32. */
    public int minQuantizedSize() {
        return minQuantizedSize;
    }

    /** The settings, as the result files record them. */
    public DataParallelSettings settings() {
        return new DataParallelSettings(workers.size(), collective == null ? "auto" : collective.cliName(),
                errorFeedback, minQuantizedSize);
    }

    /** The exchange a training run of {@code quantizer} averages its gradients through. */
    GradientExchange exchange(Quantizer quantizer) {
        QuantizerType type = quantizer.spec().type();
        return GradientExchange.builder(workers, quantizer.backend(), quantizer.spec()).collective(collectiveFor(type))
                .errorFeedback(errorFeedbackFor(type)).minQuantizedSize(minQuantizedSize).build();
    }

    /**
     * A float32 allreduce of the gradients: the variance probe's unquantized SGD.
     *
     * @param backend the training gradients' backend, which reaches their memory (on a GPU, cuda)
     */
    GradientExchange float32Exchange(Backend backend) {
        return GradientExchange.builder(workers, backend, QuantizerSpec.builder(QuantizerType.NONE).build())
                .collective(Collective.ALLREDUCE).build();
    }

    /** Element-wise sums of {@code values} over the ranks (float32, the same on every rank). */
    float[] sum(float... values) {
        FloatBuffer buffer = direct(values.length);
        buffer.put(0, values);
        workers.allreduceSum(buffer);
        float[] out = new float[values.length];
        buffer.get(0, out);
        return out;
    }

    /**
     * Replaces every parameter that takes no gradient (batch norm's running mean and variance) by
     * its mean over the ranks: each rank's running statistics saw only its own slices of the
     * batches, and the models must be identical when rank 0 evaluates and the checksums are taken.
     */
    void averageRunningStatistics(Block block) {
        for (Pair<String, Parameter> entry : block.getParameters()) {
            Parameter parameter = entry.getValue();
            if (parameter.requiresGradient()) {
                continue;
            }
            NDArray array = parameter.getArray();
            if (array.getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException("parameter " + entry.getKey() + " is " + array.getDataType()
                        + ": only float32 running statistics can be averaged over the workers");
            }
            float[] values = array.toFloatArray();
            FloatBuffer buffer = direct(values.length);
            buffer.put(0, values);
            workers.allreduceSum(buffer);
            float n = workers.size();
            for (int i = 0; i < values.length; i++) {
                buffer.put(i, buffer.get(i) / n);
            }
            array.set(buffer);
        }
    }

    /** Every rank's checksum of its parameters, in rank order (on every rank). */
    List<RankChecksum> checksums(Block block) {
        byte[] mine = ParameterChecksum.of(block).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer message = ByteBuffer.allocateDirect(mine.length);
        message.put(0, mine);
        List<ByteBuffer> all = workers.allgather(message);
        List<RankChecksum> out = new ArrayList<>();
        for (int r = 0; r < all.size(); r++) {
            ByteBuffer b = all.get(r);
            byte[] text = new byte[b.remaining()];
            b.get(b.position(), text);
            out.add(new RankChecksum(r, new String(text, StandardCharsets.US_ASCII)));
        }
        return out;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(Math.max(1, floats) * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer().limit(floats);
    }
}
