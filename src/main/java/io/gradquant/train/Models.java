package io.gradquant.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;

/**
 * The harness's models, built from DJL blocks. Input channels and sizes are not parameters: DJL
 * infers them when the block is initialised with the data set's input shape (N, C, H, W).
 */
public final class Models {
    private Models() {
    }

    /**
     * The canonical CIFAR ResNet-20 (He et al. 2016, section 4.2): a 3x3 convolution to 16
     * channels, then three stages of 16, 32 and 64 channels with three basic blocks each (the first
     * block of stages 2 and 3 halves the resolution), global average pooling and a dense layer.
     * Convolutions have no bias (batch norm follows each). Where a block changes the shape, its
     * shortcut is a 1x1 convolution plus batch norm, as in the reference harness; elsewhere identity.
     * 272,474 trainable parameters for 3 input channels and 10 classes.
     */
    public static Block resnet20(int classes) {
        SequentialBlock net = new SequentialBlock()
                .add(conv(16, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
        int in = 16;
        for (int channels : new int[] {16, 32, 64}) {
            for (int block = 0; block < 3; block++) {
                int stride = block == 0 && channels != 16 ? 2 : 1;
                net.add(basicBlock(channels, stride, in != channels || stride != 1));
                in = channels;
            }
        }
        return net.add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * A small, fast convolutional net for 28x28 images: two stages of 3x3 convolution, batch norm,
     * ReLU and 2x2 max pooling (16 then 32 channels), a dense layer of 128 with ReLU, and the
     * classifier; 206,970 trainable parameters for 10 classes.
     */
    public static Block cnn(int classes) {
        return new SequentialBlock()
                .add(conv(16, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(conv(32, 3, 1))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * A multilayer perceptron on the flattened input: one dense layer with ReLU per entry of
     * {@code hidden}, then the classifier (a linear classifier when {@code hidden} is empty).
     */
    public static Block mlp(int classes, int... hidden) {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int units : hidden) {
            net.add(Linear.builder().setUnits(units).build()).add(Activation.reluBlock());
        }
        return net.add(Linear.builder().setUnits(classes).build());
    }

    /** conv - BN - ReLU - conv - BN, plus the shortcut, then ReLU after the sum. */
    private static Block basicBlock(int channels, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(channels, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(conv(channels, 3, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(channels, 1, stride)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        Block sum = new ParallelBlock(
                outputs -> new NDList(outputs.get(0).singletonOrThrow().add(outputs.get(1).singletonOrThrow())),
                List.of(main, shortcut));
        return new SequentialBlock().add(sum).add(Activation.reluBlock());
    }

    /** A bias-free square convolution with "same" padding for odd kernels. */
    private static Conv2d conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(false)
                .build();
    }
}
