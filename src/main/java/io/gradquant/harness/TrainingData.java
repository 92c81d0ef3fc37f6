package io.gradquant.harness;

import ai.djl.ndarray.types.Shape;
import io.gradquant.data.Cifar10;
import io.gradquant.data.CropFlip;
import io.gradquant.data.DatasetKind;
import io.gradquant.data.FashionMnist;
import io.gradquant.data.ImageDataset;
import io.gradquant.data.ImageSet;
import io.gradquant.data.Normalization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.Path;

/**
 * A data set's training and test images with the reference's preprocessing: CIFAR-10 gets the
 * random crop (padding 4) and flip and its normalisation; Fashion-MNIST its normalisation and no
 * augmentation (the reference harness is CIFAR-only; flipping clothes would be harmless but is not
 * part of the usual Fashion-MNIST setup).
 */
public final class TrainingData {
    /** Batch size of the test-set evaluation; it does not change the result. */
    private static final int TEST_BATCH = 256;

    private final DatasetKind kind;
    private final ImageSet train;
    private final ImageSet test;

    /** Images already loaded (tests build them in memory). */
    public TrainingData(DatasetKind kind, ImageSet train, ImageSet test) {
        this.kind = kind;
        this.train = train;
        this.test = test;
    }

    /** Loads both splits of {@code kind} from {@code dir}. */
    public static TrainingData load(DatasetKind kind, Path dir) throws IOException {
        return kind == DatasetKind.CIFAR10
                ? new TrainingData(kind, Cifar10.train(dir), Cifar10.test(dir))
                : new TrainingData(kind, FashionMnist.train(dir), FashionMnist.test(dir));
    }

    /** Which data set this is. */
    public DatasetKind kind() {
        return kind;
    }

    /** Number of training examples. */
    public int trainSize() {
        return train.size();
    }

    /** Number of test examples. */
    public int testSize() {
        return test.size();
    }

    /** Number of classes. */
    public int classes() {
        return train.classes();
    }

    /**
     * The SHA-256 of both splits' images and labels, 64 hex digits: data-parallel workers compare
     * it to be sure that they train on the same data.
     */
    public String sha256() {
        MessageDigest sha = ParameterChecksum.sha256();
        sha.update(kind.cliName().getBytes(StandardCharsets.UTF_8));
        train.digest(sha);
        test.digest(sha);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The input shape of one batch, (batch, channels, height, width). */
    public Shape inputShape(int batch) {
        return new Shape(batch, train.channels(), train.height(), train.width());
    }

    private Normalization normalization() {
        return kind == DatasetKind.CIFAR10 ? Normalization.CIFAR10 : Normalization.FASHION_MNIST;
    }

    /**
     * A fresh training set in the sampler's order; a new one per run, so every run sees the same
     * augmentation stream for the same seed.
     */
    ImageDataset trainSet(EpochShuffleSampler sampler, long seed) {
        ImageDataset.Builder builder = ImageDataset.builder(train).normalization(normalization())
                .setSampling(sampler).seed(seed);
        if (kind == DatasetKind.CIFAR10) {
            builder.augmentation(new CropFlip(4));
        }
        return builder.build();
    }

    /** The test set, in order, without augmentation. */
    ImageDataset testSet() {
        return ImageDataset.builder(test).normalization(normalization()).setSampling(TEST_BATCH, false).build();
    }

    /**
     * Worker {@code rank} of {@code workers}'s share of the test set: examples [floor(r·n/W),
     * floor((r+1)·n/W)) in order, without augmentation. The shares cover the test set once.
     */
    ImageDataset testShare(int rank, int workers) {
        long n = test.size();
        RangeSampler share = new RangeSampler(rank * n / workers, (rank + 1) * n / workers, TEST_BATCH);
        return ImageDataset.builder(test).normalization(normalization()).setSampling(share).build();
    }
}
