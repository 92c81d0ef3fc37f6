package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.gradquant.CudaTesting;
import io.gradquant.QuantStats;
import io.gradquant.Quantizer;
import io.gradquant.QuantizerSpec;
import io.gradquant.QuantizerType;
import io.gradquant.Segments;
import io.gradquant.backend.CudaBackend;
import io.gradquant.reference.JavaBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The GPU training path end to end short of a GPU: a model's gradient tensors, read by address as
 * GPU training reads them, quantized in place by the cuda backend through {@code AddressBackend}.
 * Runs in the JVM whose libcuda.so.1 is the CPU stand-in, where a "device" address is a host
 * address, so PyTorch CPU tensors stand in for GPU tensors; the result must equal the java backend's
 * on a copy, bit for bit.
 */
@Tag("cuda")
class CudaAddressPathTest {
    @ParameterizedTest
    @EnumSource(QuantizerType.class)
    void cudaBackendQuantizesGradientTensorsByAddress(QuantizerType type) {
        CudaBackend cuda = CudaTesting.backend();
        QuantizerSpec spec = QuantizerSpec.builder(type).bucketSize(64).levels(4).seed(11).build();
        Block block = Models.mlp(3, 12, 8);
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(manager, DataType.FLOAT32, new Shape(4, 10));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = block.forward(new ParameterStore(manager, false),
                        new NDList(manager.randomNormal(new Shape(4, 10))), true).head();
                collector.backward(out.mul(out).sum());
            }
            List<float[]> expected = gradients(block);
            QuantStats want = new JavaBackend().quantize(spec, 0, Segments.ofArrays(expected.toArray(new float[0][])));

            QuantStats got;
            try (GradientAddresses.Gathered gathered = GradientAddresses.gather(block, Device.cpu())) {
                got = new Quantizer(spec, cuda).quantizeAddresses(gathered.addresses(), gathered.lengths());
            }
            List<float[]> quantized = gradients(block);
            for (int t = 0; t < expected.size(); t++) {
                assertArrayEquals(expected.get(t), quantized.get(t), type + ": tensor " + t);
            }
            assertEquals(want.variance(), got.variance(), 1e-6 * (1 + want.variance()));
        }
    }

    private static List<float[]> gradients(Block block) {
        List<float[]> values = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                try (NDArray g = p.getArray().getGradient()) {
                    values.add(g.toFloatArray());
                }
            }
        }
        return values;
    }
}
