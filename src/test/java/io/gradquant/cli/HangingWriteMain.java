package io.gradquant.cli;

import io.gradquant.io.OutputFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Starts writing ARGS[0] through {@link OutputFile}, prints "writing" once a MiB is in the
 * temporary file, then waits forever: a write caught mid-way, for the signal tests.
 */
public final class HangingWriteMain {
    private HangingWriteMain() {
    }

    public static void main(String[] args) throws Exception {
        OutputFile.write(Path.of(args[0]), ch -> {
            ByteBuffer mib = ByteBuffer.allocate(1 << 20);
            while (mib.hasRemaining()) {
                ch.write(mib);
            }
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
