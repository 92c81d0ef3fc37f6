package io.gradquant.distributed;

import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.backend.AddressBackend;
import io.gradquant.backend.Backend;
import io.gradquant.codec.Encoded;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The gradient a communicator averages in place, with the backend that reaches its memory: host
 * buffers ({@link Segments}, any backend), or float32 memory given by address in an
 * {@link AddressBackend}'s memory (with the cuda backend, a GPU's: the values stay there, only
 * messages and float32 staging cross to the host). Every operation computes the same floats in
 * both, so the two give bit-identical averages.
 */
abstract sealed class GradientMemory permits GradientMemory.Host, GradientMemory.Addresses {
    /** Host buffers, written through {@code backend}'s Segments methods. */
    static GradientMemory host(Backend backend, Segments segments) {
        return new Host(backend, segments);
    }

    /**
     * Memory by address.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a length is negative
     */
    static GradientMemory at(AddressBackend backend, long[] addresses, long[] lengths) {
        if (addresses.length != lengths.length) {
            throw new IllegalArgumentException(addresses.length + " addresses but " + lengths.length + " lengths");
        }
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("segment " + i + " has length " + lengths[i] + ": it must be >= 0");
            }
        }
        return new Addresses(backend, addresses.clone(), lengths.clone());
    }

    /** The segment lengths, in order. */
    abstract long[] lengths();

    /** The segments {@code index} names, in that order. */
    abstract GradientMemory pick(int[] index);

    /** {@link Backend#encode} of the segments into {@code out}. */
    abstract Encoded encode(QuantizerSpec spec, long step, ByteBuffer out, boolean writeBack);

    /** {@link Backend#decodeAdd} of {@code message} into the segments. */
    abstract void decodeAdd(ByteBuffer message, float weight);

    /** Sets every value to +0.0. */
    abstract void zero();

    /** Copies the values, concatenated, into {@code staging} from index 0 (a direct, native-order buffer). */
    abstract void toHost(FloatBuffer staging);

    /** Copies {@code staging}'s values from index 0 back into the segments. */
    abstract void fromHost(FloatBuffer staging);

    /**
     * The segments as host buffers, for what works on them only: reduce-scatter's chunks and the
     * error-feedback residual.
     *
     * @throws IllegalStateException for memory given by address
     */
    abstract Segments hostSegments();

    /** Sum of the lengths. */
    long totalLength() {
        long total = 0;
        for (long n : lengths()) {
            total += n;
        }
        return total;
    }

    static final class Host extends GradientMemory {
        private final Backend backend;
        private final Segments segments;

        private Host(Backend backend, Segments segments) {
            this.backend = backend;
            this.segments = segments;
        }

        @Override
        long[] lengths() {
            return segments.lengths();
        }

        @Override
        GradientMemory pick(int[] index) {
            List<FloatBuffer> out = new ArrayList<>(index.length);
            for (int i : index) {
                out.add(segments.segment(i));
            }
            return new Host(backend, Segments.of(out));
        }

        @Override
        Encoded encode(QuantizerSpec spec, long step, ByteBuffer out, boolean writeBack) {
            return backend.encode(spec, step, segments, out, writeBack);
        }

        @Override
        void decodeAdd(ByteBuffer message, float weight) {
            backend.decodeAdd(message, segments, weight);
        }

        @Override
        void zero() {
            FloatOps.zero(segments);
        }

        @Override
        void toHost(FloatBuffer staging) {
            int at = 0;
            for (int s = 0; s < segments.count(); s++) {
                FloatBuffer b = segments.segment(s);
                staging.put(at, b, 0, b.limit());
                at += b.limit();
            }
        }

        @Override
        void fromHost(FloatBuffer staging) {
            int at = 0;
            for (int s = 0; s < segments.count(); s++) {
                FloatBuffer b = segments.segment(s);
                b.put(0, staging, at, b.limit());
                at += b.limit();
            }
        }

        @Override
        Segments hostSegments() {
            return segments;
        }
    }

    static final class Addresses extends GradientMemory {
        private final AddressBackend backend;
        private final long[] addresses;
        private final long[] lengths;

        private Addresses(AddressBackend backend, long[] addresses, long[] lengths) {
            this.backend = backend;
            this.addresses = addresses;
            this.lengths = lengths;
        }

        @Override
        long[] lengths() {
            return lengths.clone();
        }

        @Override
        GradientMemory pick(int[] index) {
            long[] a = new long[index.length];
            long[] n = new long[index.length];
            for (int k = 0; k < index.length; k++) {
                a[k] = addresses[index[k]];
                n[k] = lengths[index[k]];
            }
            return new Addresses(backend, a, n);
        }

        @Override
        Encoded encode(QuantizerSpec spec, long step, ByteBuffer out, boolean writeBack) {
            return backend.encodeAddresses(spec, step, addresses, lengths, out, writeBack);
        }

        @Override
        void decodeAdd(ByteBuffer message, float weight) {
            backend.decodeAddAddresses(message, addresses, lengths, weight);
        }

        @Override
        void zero() {
            backend.zeroAddresses(addresses, lengths);
        }

        @Override
        void toHost(FloatBuffer staging) {
            backend.copyToHost(addresses, lengths, staging);
        }

        @Override
        void fromHost(FloatBuffer staging) {
            backend.copyFromHost(staging, addresses, lengths);
        }

        @Override
        Segments hostSegments() {
            throw new IllegalStateException("gradients given by address (backend " + backend.name() + ", "
                    + backend.memory() + " memory) have no host buffers: reduce-scatter and error feedback need them");
        }
    }
}
