package io.gradquant.harness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a model's parameters: every parameter of {@code block.getParameters()} in model
 * order (trainable ones and batch norm's running statistics), each as its float32 values in
 * little-endian byte order. Two workers whose checksums agree hold bit-identical models.
 */
final class ParameterChecksum {
    private ParameterChecksum() {
    }

    /**
     * The checksum as 64 lower-case hex digits.
     *
     * @throws IllegalStateException naming the parameter, if one is not float32
     */
    static String of(Block block) {
        MessageDigest sha = sha256();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            NDArray array = entry.getValue().getArray();
            if (array.getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException("parameter " + entry.getKey() + " is " + array.getDataType()
                        + ": the checksum covers float32 parameters only");
            }
            float[] values = array.toFloatArray();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java SE runtime must provide", e);
        }
    }
}
