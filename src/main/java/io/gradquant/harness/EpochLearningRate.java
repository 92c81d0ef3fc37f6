package io.gradquant.harness;

import ai.djl.training.tracker.Tracker;

/**
 * A DJL learning-rate tracker driven by the epoch loop rather than by DJL's update count: the
 * loop sets the epoch before training it, and every update of that epoch uses the recipe's rate.
 * (DJL counts updates per parameter, which would tie the schedule to the steps per epoch.)
 */
final class EpochLearningRate implements Tracker {
    private final Recipe recipe;
    private volatile float current;

    EpochLearningRate(Recipe recipe) {
        this.recipe = recipe;
        this.current = recipe.learningRate(0);
    }

    /** Makes the following updates use epoch {@code epoch}'s rate, and returns it. */
    float startEpoch(int epoch) {
        current = recipe.learningRate(epoch);
        return current;
    }

    @Override
    public float getNewValue(int numUpdate) {
        return current;
    }
}
