package io.gradquant.train;

import ai.djl.Device;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import java.util.Arrays;

/**
 * Quantizes every parameter gradient of the model in place, between backward and the optimizer
 * step. DJL's {@code EasyTrain.trainBatch} runs forward and backward, then calls
 * {@link #onTrainingBatch}; {@code trainer.step()} comes after it, so the optimizer applies the
 * quantized gradients. One line adds it to a training configuration:
 *
 * <pre>{@code
 * QuantizerSpec spec = QuantizerSpec.builder(QuantizerType.STANDARD).bucketSize(512).levels(16).build();
 * Quantizer quantizer = new Quantizer(spec, Backends.create("cpu", 0).backend());
 * DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
 *         .addTrainingListeners(new QuantizingListener(quantizer));
 * }</pre>
 *
 * <p>Gradients are taken in model order ({@code block.getParameters()}, skipping parameters that
 * need no gradient) and handed to the quantizer as one list of segments, so with the spec's default
 * layout buckets span tensors as in the reference harness. The quantizer's step counter advances
 * once per training batch, so the same seed and data order give the same quantized gradients.
 *
 * <p>How the gradient memory reaches the backend ({@link GradientAccess}): on the CPU, as zero-copy
 * {@code FloatBuffer} views (java or cpu backend); on a GPU, as device addresses handed to a
 * backend that quantizes device memory (the cuda backend), with no copy to the host. The address
 * path also works on CPU tensors with the cpu backend, which is how it is tested without a GPU.
 *
 * <p>Limits: one training device; float32 gradients in contiguous tensors (anything else fails
 * with a message naming the parameter, before any gradient is changed). With several devices DJL
 * sums the per-device gradients only inside {@code trainer.step()}, after the listeners have run.
 */
public class QuantizingListener extends TrainingListenerAdapter {
    private final Quantizer quantizer;
    private final GradientAccess access;
    private final GradientViews views = new GradientViews();
    private QuantTotals totals = QuantTotals.EMPTY;
    private QuantStats lastStats;

    /** A listener that picks the gradient access by device ({@link GradientAccess#AUTO}). */
    public QuantizingListener(Quantizer quantizer) {
        this(quantizer, GradientAccess.AUTO);
    }

    /** A listener that hands gradients to the quantizer's backend as {@code access} says. */
    public QuantizingListener(Quantizer quantizer, GradientAccess access) {
        this.quantizer = quantizer;
        this.access = access;
    }

    /** The quantizer, whose step counter says how many batches were quantized. */
    public Quantizer quantizer() {
        return quantizer;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        Device[] devices = trainer.getDevices();
        if (devices.length != 1) {
            throw new IllegalStateException("QuantizingListener supports training on one device, this trainer uses "
                    + Arrays.toString(devices));
        }
        Device device = devices[0];
        long start = System.nanoTime();
        QuantStats stats;
        if (access == GradientAccess.VIEWS || (access == GradientAccess.AUTO && !device.isGpu())) {
            try (GradientViews.Gathered gathered = views.gather(trainer.getModel().getBlock(), device)) {
                stats = quantizer.quantize(gathered.segments());
            }
        } else {
            GradientAddresses.requireBackend(quantizer.backend(), device);
            try (GradientAddresses.Gathered gathered = GradientAddresses.gather(trainer.getModel().getBlock(), device)) {
                // the arrays stay open until the backend returns: they keep the memory alive
                stats = quantizer.quantizeAddresses(gathered.addresses(), gathered.lengths());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        synchronized (this) {
            totals = totals.plus(seconds, stats);
            lastStats = stats;
        }
    }

    /** Totals since construction or the last {@link #resetTotals()}. */
    public synchronized QuantTotals totals() {
        return totals;
    }

    /** Returns the totals so far and starts new ones (for example at the end of an epoch). */
    public synchronized QuantTotals resetTotals() {
        QuantTotals previous = totals;
        totals = QuantTotals.EMPTY;
        return previous;
    }

    /** Statistics of the most recent step, or null before the first. */
    public synchronized QuantStats lastStats() {
        return lastStats;
    }
}
