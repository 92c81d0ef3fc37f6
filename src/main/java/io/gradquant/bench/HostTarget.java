package io.gradquant.bench;

import ai.djl.Device;
import io.gradquant.QuantizerSpec;
import io.gradquant.Segments;
import io.gradquant.backend.Backend;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * A {@link BenchTarget} whose slots are direct host buffers: the java and cpu backends. The copy
 * baseline is a function given by the factory (the native threaded copy for cpu, a one-thread
 * bulk copy for the single-threaded java reference), so that each backend is compared with the
 * memory speed it could reach with the same threads.
 */
final class HostTarget implements BenchTarget {
    /** Copies src over dst; both direct, of equal length. */
    interface Copier {
        void copy(FloatBuffer src, FloatBuffer dst);
    }

    private final Backend backend;
    private final int threads;
    private final String detail;
    private final String copyBaseline;
    private final Copier copier;
    private final FloatBuffer[] pristine;
    private final FloatBuffer[] work;
    private final Segments[] segments;

    HostTarget(Backend backend, int threads, String detail, String copyBaseline, Copier copier, FloatBuffer[] pristine) {
        this.backend = backend;
        this.threads = threads;
        this.detail = detail;
        this.copyBaseline = copyBaseline;
        this.copier = copier;
        this.pristine = pristine.clone();
        this.work = new FloatBuffer[pristine.length];
        this.segments = new Segments[pristine.length];
        for (int i = 0; i < pristine.length; i++) {
            work[i] = SlotRing.allocate(pristine[i].limit());
            copier.copy(pristine[i], work[i]);
            segments[i] = Segments.of(work[i]);
        }
    }

    @Override
    public String backend() {
        return backend.name();
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public String detail() {
        return detail;
    }

    @Override
    public String copyBaseline() {
        return copyBaseline;
    }

    @Override
    public Device djlDevice() {
        return Device.cpu();
    }

    @Override
    public int slots() {
        return work.length;
    }

    @Override
    public void quantize(QuantizerSpec spec, long step, int slot) {
        backend.quantize(spec, step, segments[slot]);
    }

    @Override
    public void encode(QuantizerSpec spec, long step, int slot, ByteBuffer out) {
        backend.encode(spec, step, segments[slot], out, false);
    }

    @Override
    public void decode(ByteBuffer message, int slot) {
        backend.decode(message, segments[slot]);
    }

    @Override
    public void copy(int slot) {
        copier.copy(pristine[slot], work[slot]);
    }

    @Override
    public void restore(int slot) {
        copier.copy(pristine[slot], work[slot]);
    }

    /** Closes the backend (its thread pool); direct buffers are freed by the garbage collector. */
    @Override
    public void close() {
        backend.close();
    }
}
