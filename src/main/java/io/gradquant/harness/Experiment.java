package io.gradquant.harness;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import io.gradquant.distributed.ConfigDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every run of one train or compare invocation shares: model, data, recipe, device, and the
 * initial parameters drawn once from the recipe's seed; for data-parallel training, this rank's
 * part ({@link DataParallel}), with rank 0's initial parameters on every rank.
 */
public final class Experiment {
    private final ModelKind model;
    private final TrainingData data;
    private final Recipe recipe;
    private final Device device;
    private final InitialState initial;
    private final DataParallel parallel;

    /** A single process's experiment: draws the initial parameters from {@code recipe.seed()}. */
    public Experiment(ModelKind model, TrainingData data, Recipe recipe, Device device) {
        this.model = model;
        this.data = data;
        this.recipe = recipe;
        this.device = device;
        this.parallel = null;
        this.initial = InitialState.draw(model, data.classes(), data.inputShape(recipe.batchSize()), recipe.seed());
    }

    /**
     * A data-parallel rank's experiment (a collective call: every rank constructs its own). Each
     * rank draws the initial parameters; then the ranks compare their configurations (the
     * caller's fields plus the parameter names and shapes), and every rank takes rank 0's
     * parameters.
     *
     * @param parallel      this rank's part in data-parallel training
     * @param configuration what the ranks must agree on, by field (model, data, quantizers, recipe, ...)
     * @throws io.gradquant.distributed.ConfigurationMismatchException on every rank, naming the
     *         first field that differs
     */
    public Experiment(ModelKind model, TrainingData data, Recipe recipe, Device device, DataParallel parallel,
            Map<String, String> configuration) {
        this.model = model;
        this.data = data;
        this.recipe = recipe;
        this.device = device;
        this.parallel = parallel;
        InitialState drawn = InitialState.draw(model, data.classes(), data.inputShape(recipe.batchSize()), recipe.seed());
        Map<String, String> fields = new LinkedHashMap<>(configuration);
        fields.put("parameter shapes", drawn.shapes());
        ConfigDigest.requireSame(parallel.workers(), fields);
        this.initial = drawn.broadcast(parallel.workers());
    }

    /** The model trained. */
    public ModelKind model() {
        return model;
    }

    /** The data set. */
    public TrainingData data() {
        return data;
    }

    /** The training recipe. */
    public Recipe recipe() {
        return recipe;
    }

    /** The training device. */
    public Device device() {
        return device;
    }

    /** This rank's part in data-parallel training, or null for a single process. */
    public DataParallel parallel() {
        return parallel;
    }

    /**
     * A sampler for a run's training set: the same order in every run; data-parallel, this rank's
     * slice of each global batch.
     */
    EpochShuffleSampler newSampler() {
        return parallel == null
                ? new EpochShuffleSampler(recipe.batchSize(), true, recipe.seed(), recipe.maxStepsPerEpoch())
                : new EpochShuffleSampler(recipe.batchSize(), true, recipe.seed(), recipe.maxStepsPerEpoch(),
                        parallel.rank(), parallel.size());
    }

    /**
     * A model holding the initial parameters and its trainer: softmax cross-entropy, DJL's SGD with
     * the recipe's momentum and weight decay and {@code lr} as its learning rate, on the device,
     * with {@code listeners} run after each backward in the given order.
     */
    Session open(String name, EpochLearningRate lr, TrainingListener... listeners) {
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(lr).optMomentum(recipe.momentum())
                .optWeightDecays(recipe.weightDecay()).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(sgd)
                .optDevices(new Device[] {device})
                .addTrainingListeners(listeners);
        Model m = Model.newInstance(name, device);
        try {
            m.setBlock(model.newBlock(data.classes()));
            initial.loadInto(m.getBlock(), m.getNDManager());
            Trainer trainer = m.newTrainer(config);
            trainer.initialize(data.inputShape(recipe.batchSize()));
            return new Session(m, trainer);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A model and its trainer; closing closes both. */
    record Session(Model model, Trainer trainer) implements AutoCloseable {
        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }
}
