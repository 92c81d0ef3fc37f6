package io.gradquant.backend;

import io.gradquant.QuantizerSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A quantizer's parameters as the native code reads them: the {@code gq::SpecBlock} of
 * cuda/gq_common.cuh (40 bytes, little-endian, offsets below). The cpu backend passes it across JNI
 * and the cuda backend puts it at the head of every {@code gq::Call} ({@link CallBlock}), so a new
 * per-quantizer option is one field here and one in the header.
 *
 * <p>The numeric ids are the enums' {@code id()}s, the numbers of cuda/gq_common.cuh and of the wire
 * format (docs/wire-format.md), never ordinals.
 */
final class SpecBlock {
    /** sizeof(gq::SpecBlock). */
    static final int BYTES = 40;

    private SpecBlock() {
    }

    /** The block of {@code spec}, as a new little-endian array. */
    static byte[] of(QuantizerSpec spec) {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        write(spec, b, 0);
        return b.array();
    }

    /** Writes the block of {@code spec} at {@code offset} of {@code b} (little-endian). */
    static void write(QuantizerSpec spec, ByteBuffer b, int offset) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        le.putLong(offset, spec.seed());
        le.putDouble(offset + 8, spec.smartFraction());
        le.putInt(offset + 16, spec.type().id());
        le.putInt(offset + 20, spec.bucketSize());
        le.putInt(offset + 24, spec.levels());
        le.putInt(offset + 28, spec.exponentialNorm().id());
        le.putInt(offset + 32, spec.layout().id());
        le.putInt(offset + 36, 0);
    }
}
