package io.gradquant.harness;

import ai.djl.nn.Block;
import io.gradquant.train.Models;
import java.util.Locale;

/** The models the harness trains, by command-line name. */
public enum ModelKind {
    /** The canonical CIFAR ResNet-20 ({@link Models#resnet20}). */
    RESNET20("resnet20"),
    /** A small convolutional net ({@link Models#cnn}). */
    CNN("cnn"),
    /** A multilayer perceptron with one hidden layer of 128 ({@link Models#mlp}). */
    MLP("mlp");

    private final String cliName;

    ModelKind(String cliName) {
        this.cliName = cliName;
    }

    /** Name on the command line and in reports. */
    public String cliName() {
        return cliName;
    }

    /** A new, uninitialised model for {@code classes} classes. */
    public Block newBlock(int classes) {
        return switch (this) {
            case RESNET20 -> Models.resnet20(classes);
            case CNN -> Models.cnn(classes);
            case MLP -> Models.mlp(classes, 128);
        };
    }

    /**
     * Parses a command-line name.
     *
     * @throws IllegalArgumentException naming the value and the allowed names
     */
    public static ModelKind parse(String name) {
        for (ModelKind k : values()) {
            if (k.cliName.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown model '" + name + "': allowed are resnet20, cnn, mlp");
    }
}
