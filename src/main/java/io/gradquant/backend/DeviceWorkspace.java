package io.gradquant.backend;

/**
 * Device memory that a cuda backend's calls reuse: one allocation that grows (to at least twice
 * its size, so a series of growing calls reallocates a logarithmic number of times) and is freed
 * by {@link #close()}. Callers hold its lock for as long as they use the memory, and have the
 * device's context current.
 */
final class DeviceWorkspace implements AutoCloseable {
    private DeviceMemory memory;
    private boolean closed;

    /**
     * The device address of at least {@code bytes} (> 0) bytes, valid until the next call.
     *
     * @throws IllegalStateException if the workspace is closed
     */
    long reserve(long bytes) {
        if (closed) {
            throw new IllegalStateException("the cuda backend is closed");
        }
        if (memory == null || memory.bytes() < bytes) {
            long size = memory == null ? bytes : Math.max(bytes, 2 * memory.bytes());
            release();
            memory = DeviceMemory.allocate(size);
        }
        return memory.address();
    }

    /** Bytes held now (0 if none). */
    long bytes() {
        return memory == null ? 0 : memory.bytes();
    }

    /** Frees the memory; later {@link #reserve} calls throw. Idempotent. */
    @Override
    public void close() {
        closed = true;
        release();
    }

    private void release() {
        if (memory != null) {
            DeviceMemory m = memory;
            memory = null;
            m.close();
        }
    }
}
