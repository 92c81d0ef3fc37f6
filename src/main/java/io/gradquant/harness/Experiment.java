package io.gradquant.harness;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;

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
        this(model, data, recipe, device, null);
    }

    /**
     * Draws the initial parameters from {@code recipe.seed()}; with {@code parallel}, every rank
     * then takes rank 0's (a collective call: every rank constructs its experiment).
     *
     * @param parallel this rank's part in data-parallel training, or null for a single process
     */
    public Experiment(ModelKind model, TrainingData data, Recipe recipe, Device device, DataParallel parallel) {
        this.model = model;
        this.data = data;
        this.recipe = recipe;
        this.device = device;
        this.parallel = parallel;
        InitialState drawn = InitialState.draw(model, data.classes(), data.inputShape(recipe.batchSize()), recipe.seed());
        this.initial = parallel == null ? drawn : drawn.broadcast(parallel.workers());
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
     * The names and shapes of the model's parameters in model order, one "name shape" per line:
     * what data-parallel workers compare before they start.
     */
    public String parameterShapes() {
        try (Session session = open("shapes", new EpochLearningRate(recipe))) {
            StringBuilder out = new StringBuilder();
            session.model().getBlock().getParameters()
                    .forEach(p -> out.append(p.getKey()).append(' ').append(p.getValue().getArray().getShape()).append('\n'));
            return out.toString();
        }
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
