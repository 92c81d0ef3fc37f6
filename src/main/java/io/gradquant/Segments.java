package io.gradquant;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * An ordered list of float32 buffers (for example the gradients of a model's parameters, in model
 * order) that a quantizer treats as one flat array of {@link #totalLength()} elements. Each segment
 * covers its buffer from index 0 to its limit; the position is ignored and never changed.
 * The total may exceed 2^31 elements.
 */
public final class Segments {
    private final FloatBuffer[] buffers;
    private final long[] offsets;

    private Segments(FloatBuffer[] buffers) {
        this.buffers = buffers.clone();
        this.offsets = new long[buffers.length + 1];
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] == null) {
                throw new IllegalArgumentException("segment " + i + " is null");
            }
            if (buffers[i].isReadOnly()) {
                throw new IllegalArgumentException("segment " + i + " is read-only: quantization writes in place");
            }
            offsets[i + 1] = offsets[i] + buffers[i].limit();
        }
    }

    /** Segments over the given buffers, in order. */
    public static Segments of(FloatBuffer... buffers) {
        return new Segments(buffers);
    }

    /** Segments over the given buffers, in order. */
    public static Segments of(List<FloatBuffer> buffers) {
        return new Segments(buffers.toArray(new FloatBuffer[0]));
    }

    /** Heap segments wrapping the given arrays (usable by the {@code java} backend only). */
    public static Segments ofArrays(float[]... arrays) {
        return new Segments(Arrays.stream(arrays).map(FloatBuffer::wrap).toArray(FloatBuffer[]::new));
    }

    /** A new direct, native-order float buffer holding a copy of {@code values}. */
    public static FloatBuffer directCopy(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, Float.BYTES))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(0, values);
        return b;
    }

    /** Number of segments. */
    public int count() {
        return buffers.length;
    }

    /** Segment {@code i}. */
    public FloatBuffer segment(int i) {
        return buffers[i];
    }

    /** Length of segment {@code i}, in elements. */
    public long length(int i) {
        return offsets[i + 1] - offsets[i];
    }

    /** Flat index of the first element of segment {@code i}. */
    public long offset(int i) {
        return offsets[i];
    }

    /** The lengths of all segments, in elements, in order (a new array). */
    public long[] lengths() {
        long[] lengths = new long[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            lengths[i] = length(i);
        }
        return lengths;
    }

    /** Total number of elements over all segments. */
    public long totalLength() {
        return offsets[buffers.length];
    }

    /** The segment holding flat index {@code index} (the last one if several empty segments share it). */
    public int segmentOf(long index) {
        int pos = Arrays.binarySearch(offsets, index);
        if (pos >= 0) {
            // offsets[pos] == index: first non-empty segment starting here
            while (pos < buffers.length && offsets[pos + 1] == index) {
                pos++;
            }
            return pos;
        }
        return -pos - 2;
    }

    /** Copies {@code count} elements starting at flat index {@code from} into {@code dst[0..count)}. */
    public void read(long from, float[] dst, int count) {
        int seg = segmentOf(from);
        int done = 0;
        while (done < count) {
            int start = (int) (from + done - offsets[seg]);
            int n = (int) Math.min(count - done, length(seg) - start);
            buffers[seg].get(start, dst, done, n);
            done += n;
            seg++;
        }
    }

    /** Writes {@code src[0..count)} to the elements starting at flat index {@code from}. */
    public void write(long from, float[] src, int count) {
        int seg = segmentOf(from);
        int done = 0;
        while (done < count) {
            int start = (int) (from + done - offsets[seg]);
            int n = (int) Math.min(count - done, length(seg) - start);
            buffers[seg].put(start, src, done, n);
            done += n;
            seg++;
        }
    }
}
