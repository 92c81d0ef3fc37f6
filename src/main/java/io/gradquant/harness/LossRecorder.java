package io.gradquant.harness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

/**
 * Records each training batch's loss. DJL's {@code EasyTrain.trainBatch} computes the loss for
 * backward but does not return it; this listener recomputes it from the predictions and labels it
 * hands to the listeners (one small extra loss evaluation per step).
 */
final class LossRecorder extends TrainingListenerAdapter {
    private float last = Float.NaN;

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        float sum = 0;
        for (var entry : batchData.getPredictions().entrySet()) {
            NDList labels = batchData.getLabels().get(entry.getKey());
            try (NDArray loss = trainer.getLoss().evaluate(labels, entry.getValue())) {
                sum += loss.getFloat();
            }
        }
        last = sum / Math.max(1, batchData.getPredictions().size());
    }

    /** The loss of the most recent batch. */
    float last() {
        return last;
    }
}
