package io.gradquant.harness;

import java.util.List;

/**
 * The training recipe: SGD with momentum and weight decay, a step learning-rate schedule, batch
 * size, epochs and seed. {@link #REFERENCE} holds the smart-quantizer harness's values.
 *
 * @param epochs           epochs to train, >= 1
 * @param batchSize        examples per step, >= 1
 * @param learningRate     initial learning rate, > 0
 * @param momentum         SGD momentum in [0, 1)
 * @param weightDecay      L2 weight decay, >= 0, applied to every trainable parameter
 * @param milestones       epochs (numbered from 0) at which the learning rate is multiplied by
 *                         {@link #LR_FACTOR}, strictly increasing: epoch e trains with
 *                         learningRate * 0.1^(number of milestones <= e)
 * @param maxStepsPerEpoch at most this many steps per epoch (quick runs), or 0 for the whole training set
 * @param seed             seed of the model initialisation, the data order, augmentation and quantization
 */
public record Recipe(int epochs, int batchSize, float learningRate, float momentum, float weightDecay,
        List<Integer> milestones, int maxStepsPerEpoch, long seed) {
    /** Learning-rate multiplier at each milestone. */
    public static final float LR_FACTOR = 0.1f;

    /**
     * The reference harness: 200 epochs of batch 64, lr 0.1, momentum 0.9, weight decay 1e-4, the
     * learning rate times 0.1 from epochs 81, 122 and 164 on, seed 1.
     */
    public static final Recipe REFERENCE = new Recipe(200, 64, 0.1f, 0.9f, 1e-4f, List.of(81, 122, 164), 0, 1);

    /** @throws IllegalArgumentException naming the first field out of range and the allowed range */
    public Recipe {
        milestones = List.copyOf(milestones);
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs " + epochs + " is not allowed: it must be >= 1");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " is not allowed: it must be >= 1");
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate " + learningRate + " is not allowed: it must be > 0 and finite");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum " + momentum + " is not allowed: it must be in [0, 1)");
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay " + weightDecay + " is not allowed: it must be >= 0");
        }
        int previous = 0;
        for (int m : milestones) {
            if (m <= previous) {
                throw new IllegalArgumentException("learning-rate milestones " + milestones
                        + " are not allowed: they must be epochs >= 1 in increasing order");
            }
            previous = m;
        }
        if (maxStepsPerEpoch < 0) {
            throw new IllegalArgumentException("max steps per epoch " + maxStepsPerEpoch
                    + " is not allowed: it must be >= 1, or 0 for whole epochs");
        }
    }

    /** The learning rate of epoch {@code epoch} (numbered from 0). */
    public float learningRate(int epoch) {
        float lr = learningRate;
        for (int m : milestones) {
            if (epoch >= m) {
                lr *= LR_FACTOR;
            }
        }
        return lr;
    }
}
