package io.gradquant.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ModelsTest {
    /** Trainable parameters (running statistics of batch norm excluded). */
    private static long trainable(Block block) {
        return block.getParameters().values().stream()
                .filter(Parameter::requiresGradient)
                .mapToLong(p -> p.getArray().size())
                .sum();
    }

    private static Shape forward(NDManager manager, Block block, Shape input) {
        block.initialize(manager, DataType.FLOAT32, input);
        NDArray x = manager.randomNormal(input);
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).head().getShape();
    }

    @Test
    void resnet20IsTheCanonicalCifarNetwork() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = Models.resnet20(10);
            assertEquals(new Shape(2, 10), forward(manager, net, new Shape(2, 3, 32, 32)));
            // conv 432 + BN 32; stage 1: 6 convs of 2304 + 6 BN of 32; stage 2: 4608 + 5 x 9216, 6 BN of 64,
            // projection 512 + BN 64; stage 3: 18432 + 5 x 36864, 6 BN of 128, projection 2048 + BN 128;
            // dense 64 x 10 + 10.
            assertEquals(272_474, trainable(net));
            // 1x1 projection shortcuts only where the shape changes: the first blocks of stages 2 and 3.
            long convolutions = net.getParameters().keys().stream().filter(k -> k.endsWith("Conv2d_weight")).count();
            assertEquals(1 + 18 + 2, convolutions);
        }
    }

    @Test
    void resnet20FollowsTheInputChannels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = Models.resnet20(10);
            assertEquals(new Shape(1, 10), forward(manager, net, new Shape(1, 1, 28, 28)));
            assertEquals(272_474 - 2 * 16 * 9, trainable(net));
        }
    }

    @Test
    void cnnAndMlpClassify28x28Images() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block cnn = Models.cnn(10);
            assertEquals(new Shape(3, 10), forward(manager, cnn, new Shape(3, 1, 28, 28)));
            // 144 + BN 32 + 4608 + BN 64 + 1568 x 128 + 128 + 1290
            assertEquals(206_970, trainable(cnn));
            Block mlp = Models.mlp(10, 32, 16);
            assertEquals(new Shape(3, 10), forward(manager, mlp, new Shape(3, 1, 28, 28)));
            assertEquals(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10, trainable(mlp));
        }
    }
}
