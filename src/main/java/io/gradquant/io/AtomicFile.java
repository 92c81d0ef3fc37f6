package io.gradquant.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes an output file all or nothing: the bytes go to a temporary file in the same directory,
 * which is then renamed over the file atomically. A reader never sees a half-written file, and a
 * failure leaves nothing behind.
 */
public final class AtomicFile {
    /** Writes the file's content into the channel. */
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFile() {
    }

    /**
     * Writes {@code file} with what {@code content} writes.
     *
     * @throws IOException if the file cannot be written; nothing is left behind
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        // not Files.createTempFile: that makes the file owner-only (0600), and the rename would
        // carry those permissions onto the result; CREATE_NEW uses the umask like any new file
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(false);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + file + ": the file system cannot rename " + temp
                        + " onto it atomically", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes {@code file} holding {@code bytes}, from its position to its limit (the position is left unchanged). */
    public static void write(Path file, ByteBuffer bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer b = bytes.duplicate();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }
}
