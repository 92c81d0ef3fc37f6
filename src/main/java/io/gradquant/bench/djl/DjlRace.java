package io.gradquant.bench.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.gradquant.ExponentialNorm;
import io.gradquant.QuantizerSpec;
import java.nio.FloatBuffer;

/**
 * The DJL side of the benchmark: the same pristine inputs as the backend's slots, copied into
 * PyTorch tensors on the same device, and the NDArray compositions to run on them. PyTorch's
 * intra-op thread count is set to the backend's for the race and restored on {@link #close()}.
 */
public final class DjlRace implements AutoCloseable {
    /** The engine the compositions run on. */
    public static final String ENGINE = "PyTorch";

    private final NDManager manager;
    private final NDArray[] inputs;
    private final int bucketSize;
    private final int levels;
    private final int previousThreads;
    private final DjlStandard standard = new DjlStandard();
    private final DjlExponential exponential = new DjlExponential();
    private final DjlHadamard hadamard;

    /**
     * @param device   where the tensors live: the device the backend quantizes on
     * @param threads  PyTorch intra-op threads for the race (the backend's thread count)
     * @param pristine the backend's slot inputs, copied into tensors here
     * @throws ai.djl.engine.EngineException if the PyTorch engine cannot be loaded
     * @throws IllegalStateException if {@code device} is a GPU that PyTorch here cannot use
     */
    public DjlRace(Device device, int threads, FloatBuffer[] pristine, int bucketSize, int levels) {
        Engine engine = Engine.getEngine(ENGINE); // loads the natives before threads can be set
        // PyTorch would otherwise fail on the first tensor with a page-long dispatcher message
        if (device.isGpu() && !engine.hasCapability(StandardCapabilities.CUDA)) {
            throw new IllegalStateException("DJL's PyTorch natives here are built without CUDA, so no tensors on "
                    + device + " (the pytorch-native-cpu jar on the class path pins DJL to the CPU)");
        }
        if (device.isGpu() && engine.getGpuCount() <= device.getDeviceId()) {
            throw new IllegalStateException("DJL's PyTorch engine sees " + engine.getGpuCount() + " GPU(s), so not "
                    + device);
        }
        this.previousThreads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(threads);
        this.manager = engine.newBaseManager(device);
        this.inputs = new NDArray[pristine.length];
        try {
            for (int i = 0; i < pristine.length; i++) {
                inputs[i] = manager.create(pristine[i].duplicate().clear(), new Shape(pristine[i].limit()));
            }
        } catch (RuntimeException | Error e) {
            close(); // the tensors made so far, and PyTorch's thread count, as they were
            throw e;
        }
        // a bucket longer than the input is one bucket of the whole input: the same result, without
        // padding every row out to the bucket size (a billion values for --bucket-size 1000000000)
        this.bucketSize = (int) Math.min(bucketSize, Math.max(1, pristine[0].limit()));
        this.levels = levels;
        this.hadamard = new DjlHadamard(manager);
    }

    /**
     * The composition racing {@code spec}, or null where none is reasonable (none, smart) or none
     * computes the same thing (exponential with the max norm: the composition divides by the L2 norm).
     */
    public DjlQuantizer composition(QuantizerSpec spec) {
        return switch (spec.type()) {
            case STANDARD -> standard;
            case EXPONENTIAL -> spec.exponentialNorm() == ExponentialNorm.L2 ? exponential : null;
            case HADAMARD -> hadamard;
            // none has nothing to compose; smart's sampled dynamic programme over sorted candidates
            // is a sequential loop per bucket, not something tensor operations express
            case NONE, SMART -> null;
        };
    }

    /** Intra-op threads PyTorch uses during the race. */
    public int threads() {
        return JniUtils.getNumThreads();
    }

    /**
     * Runs {@code q} on the input of {@code slot} and frees every intermediate. Returns after the
     * result exists: reading one value of it waits for an asynchronous device.
     */
    public void run(DjlQuantizer q, int slot) {
        NDArray x = inputs[slot];
        try (NDManager scope = manager.newSubManager()) {
            x.tempAttach(scope);
            NDArray out = q.quantize(x, bucketSize, levels);
            out.getFloat(0);
        }
    }

    /** Number of input slots (as many as the backend's). */
    public int slots() {
        return inputs.length;
    }

    @Override
    public void close() {
        manager.close();
        JniUtils.setNumThreads(previousThreads);
    }
}
