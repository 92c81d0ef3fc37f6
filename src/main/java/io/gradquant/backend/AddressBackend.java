package io.gradquant.backend;

import io.gradquant.QuantStats;
import io.gradquant.QuantizerSpec;
import io.gradquant.codec.Encoded;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * A backend that also quantizes raw float32 memory given by address, for memory that has no Java
 * buffer: a GPU tensor's device memory, or a host tensor exposed by its data pointer. The DJL
 * listener uses this path for GPU gradients (with a backend whose {@link #memory()} is
 * {@link Memory#CUDA_DEVICE}) and, in tests, for CPU gradients (with {@link Memory#HOST}).
 */
public interface AddressBackend extends Backend {
    /** Which memory an address given to {@link #quantizeAddresses} must point into. */
    enum Memory {
        /** Ordinary process memory (the cpu backend). */
        HOST,
        /** CUDA device memory of the current device (the cuda backend). */
        CUDA_DEVICE
    }

    /** The memory this backend's addresses point into; an address of any other kind would crash the process. */
    Memory memory();

    /**
     * Quantizes raw float32 memory in place, exactly as {@link #quantize} would the same values:
     * segment i is {@code lengths[i]} floats at {@code addresses[i]}, buckets over their
     * concatenation (or per segment, as the spec's layout says), random stream keyed by
     * (spec.seed(), step). The caller guarantees the memory stays valid and writable during the call.
     * For {@link Memory#CUDA_DEVICE} the work must be ordered after PyTorch's pending kernels on
     * that memory (DJL's PyTorch uses the legacy default stream) and complete, statistics
     * included, before the call returns: the optimizer step reads the memory right after.
     *
     * @throws IllegalArgumentException if the arrays differ in length, a length is negative or an
     *         address of a non-empty segment is 0; thrown before any value is written
     */
    QuantStats quantizeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths);

    /**
     * {@link #encode} of raw float32 memory (segments as in {@link #quantizeAddresses}) into a host
     * buffer: on the cuda backend the values stay on the device and only the message is copied to
     * the host.
     */
    Encoded encodeAddresses(QuantizerSpec spec, long step, long[] addresses, long[] lengths, ByteBuffer out,
            boolean writeBack);

    /**
     * {@link #decode} of a host message into raw float32 memory (segments as in
     * {@link #quantizeAddresses}); on the cuda backend only the message is copied to the device.
     */
    void decodeAddresses(ByteBuffer message, long[] addresses, long[] lengths);

    /**
     * {@link #decodeAdd} of a host message into raw float32 memory (segments as in
     * {@link #quantizeAddresses}).
     */
    void decodeAddAddresses(ByteBuffer message, long[] addresses, long[] lengths, float weight);

    /**
     * Sets raw float32 memory (segments as in {@link #quantizeAddresses}) to +0.0: where the
     * data-parallel exchange adds the ranks' messages with {@link #decodeAddAddresses}.
     *
     * @throws IllegalArgumentException as {@link #quantizeAddresses}, before anything is written
     */
    void zeroAddresses(long[] addresses, long[] lengths);

    /**
     * Copies the values of raw float32 memory (segments as in {@link #quantizeAddresses}),
     * concatenated in order, into {@code host} from index 0: how float32 values that travel
     * uncompressed reach host-side communication (from a GPU: one copy per segment).
     *
     * @param host a direct, native-order buffer whose limit is at least the total length
     * @throws IllegalArgumentException as {@link #quantizeAddresses}, or for an unsuitable
     *         {@code host}, before anything is written
     */
    void copyToHost(long[] addresses, long[] lengths, FloatBuffer host);

    /** The reverse of {@link #copyToHost}: {@code host}'s values from index 0 into the segments, in order. */
    void copyFromHost(FloatBuffer host, long[] addresses, long[] lengths);
}
