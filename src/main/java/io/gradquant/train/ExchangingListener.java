package io.gradquant.train;

import ai.djl.Device;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.gradquant.distributed.ExchangeStats;
import io.gradquant.distributed.ExchangeTotals;
import io.gradquant.distributed.GradientExchange;
import java.util.Arrays;

/**
 * Data-parallel training's counterpart of {@link QuantizingListener}: after backward, hands every
 * parameter gradient of the model (model order, as one list of segments) to a
 * {@link GradientExchange}, which compresses it, combines it with the other ranks' and leaves the
 * same average in every rank's gradient buffers; {@code trainer.step()} then applies it, so the
 * weights stay identical on every rank. Every rank must add this listener and train the same
 * number of batches: each batch is one collective exchange, keyed by the batch's step number.
 *
 * <pre>{@code
 * GradientExchange exchange = GradientExchange.builder(MpiWorld.get(), backend, spec)
 *         .collective(Collective.ALLGATHER).build();
 * config.addTrainingListeners(new ExchangingListener(exchange));
 * }</pre>
 *
 * <p>How the gradients reach the exchange ({@link GradientAccess}), as in {@link QuantizingListener}:
 * on the CPU as zero-copy views (checked as {@link GradientViews} says); on a GPU as device
 * addresses, with an exchange on the cuda backend, which encodes and decodes on the device and
 * copies only messages and float32 values to the host (collectives allgather and allreduce,
 * without error feedback: see {@link GradientExchange#average(long, long[], long[])}). The address
 * path also works on CPU tensors with the cpu backend, which is how it is tested without a GPU.
 *
 * <p>Limits: one training device; float32 gradients in contiguous tensors.
 */
public class ExchangingListener extends TrainingListenerAdapter {
    private final GradientExchange exchange;
    private final GradientAccess access;
    private final GradientViews views = new GradientViews();
    private long step;
    private ExchangeTotals totals = ExchangeTotals.EMPTY;
    private double seconds;
    private ExchangeStats last;

    /** A listener that averages gradients through {@code exchange}, from step 0, picking the access by device. */
    public ExchangingListener(GradientExchange exchange) {
        this(exchange, GradientAccess.AUTO);
    }

    /** A listener that hands gradients to {@code exchange} as {@code access} says. */
    public ExchangingListener(GradientExchange exchange, GradientAccess access) {
        this.exchange = exchange;
        this.access = access;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        Device[] devices = trainer.getDevices();
        if (devices.length != 1) {
            throw new IllegalStateException("data-parallel exchange supports training on one device, this trainer uses "
                    + Arrays.toString(devices));
        }
        Device device = devices[0];
        long start = System.nanoTime();
        ExchangeStats stats;
        if (access == GradientAccess.VIEWS || (access == GradientAccess.AUTO && !device.isGpu())) {
            try (GradientViews.Gathered gathered = views.gather(trainer.getModel().getBlock(), device)) {
                stats = exchange.average(step, gathered.segments());
            }
        } else {
            GradientAddresses.requireBackend(exchange.backend(), device);
            try (GradientAddresses.Gathered gathered = GradientAddresses.gather(trainer.getModel().getBlock(), device)) {
                // the arrays stay open until the exchange returns: they keep the memory alive
                stats = exchange.average(step, gathered.addresses(), gathered.lengths());
            }
        }
        double took = (System.nanoTime() - start) / 1e9;
        synchronized (this) {
            step++;
            totals = totals.plus(stats);
            seconds += took;
            last = stats;
        }
    }

    /** The step the next batch exchanges with. */
    public synchronized long nextStep() {
        return step;
    }

    /** What the most recent exchange cost, or null before the first. */
    public synchronized ExchangeStats last() {
        return last;
    }

    /**
     * Returns the totals since construction or the last reset and starts new ones (for example at
     * the end of an epoch).
     */
    public synchronized ExchangeTotals resetTotals() {
        ExchangeTotals previous = totals;
        totals = ExchangeTotals.EMPTY;
        return previous;
    }

    /**
     * Returns the wall time spent in this listener (gathering the views and exchanging) since
     * construction or the last call, and starts counting again.
     */
    public synchronized double resetSeconds() {
        double previous = seconds;
        seconds = 0;
        return previous;
    }
}
