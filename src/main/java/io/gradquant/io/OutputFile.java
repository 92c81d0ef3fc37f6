package io.gradquant.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a result file whole or not at all: the content goes to a hidden temporary file in the
 * target's directory, {@code .NAME.PID.RANDOM.tmp}, which is then renamed over the target, so a
 * reader never sees half a file and a failed write leaves the old file as it was.
 *
 * <p>What is written where, decided once for every file the command line writes:
 * <ul>
 * <li>A symbolic link is written through: the file it points to (following a chain of links) is
 *     replaced and the link stays, as the shell's {@code >} does. A dangling link creates its
 *     target.</li>
 * <li>Anything that is not a regular file (a directory, a FIFO, a device such as /dev/full, a
 *     socket) is refused: the rename would replace it.</li>
 * <li>An existing file keeps its permission bits; it is a new file, though, so it belongs to the
 *     user who wrote it and no longer shares a hard link. A file the user may not write is refused.</li>
 * <li>SIGTERM or Ctrl-C during the write deletes the temporary file (a shutdown hook). One left by
 *     SIGKILL or a power cut is deleted by the next write of the same target, once no running
 *     process holds it.</li>
 * </ul>
 */
public final class OutputFile {
    /** Writes the content into the (empty, exclusively opened) temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Links followed before giving up, as Linux's own limit (ELOOP). */
    private static final int MAX_LINKS = 40;
    private static final String SUFFIX = ".tmp";
    private static final long PID = ProcessHandle.current().pid();
    /** Temporary files being written now; the shutdown hook deletes what is left of them. */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(OutputFile::deleteInFlight, "gradquant-output-cleanup"));
        } catch (IllegalStateException e) {
            // first use while the JVM is already shutting down: there is nothing left to protect
        }
    }

    private OutputFile() {
    }

    /**
     * Checks, before any work, that {@code file} can be written: it is a new name or a regular
     * file (after following symbolic links) that the user may write, in a directory where a file
     * can be created ({@link #checkDirectory}).
     *
     * @throws OutputFileException naming the path and what is wrong
     */
    public static void check(Path file) throws OutputFileException {
        Path target = resolveLinks(file);
        checkDirectory(directoryOf(target));
        checkKind(target);
    }

    /**
     * Checks that files can be created in {@code dir}: tried, not guessed (a probe file is
     * created and deleted there), because permissions, read-only mounts and root all play a part.
     *
     * @throws OutputFileException naming the directory and what is wrong
     */
    public static void checkDirectory(Path dir) throws OutputFileException {
        if (!Files.isDirectory(dir)) {
            throw new OutputFileException(Files.exists(dir) ? dir + " is not a directory" : "directory " + dir
                    + " does not exist");
        }
        Path probe = dir.resolve(tempName(Path.of("gradquant-probe")));
        try {
            Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            throw new OutputFileException("cannot create files in directory " + dir + ": " + reason(e), e);
        } finally {
            deleteQuietly(probe);
        }
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path file, CharSequence text) throws IOException {
        writeBytes(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes the bytes from {@code bytes}' position to its limit; the buffer's position is left unchanged. */
    public static void writeBytes(Path file, ByteBuffer bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer b = bytes.duplicate();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }

    /**
     * Writes {@code file} through a temporary file and an atomic rename (see the class comment).
     *
     * @throws OutputFileException if the target is not something a result may replace
     * @throws IOException         if writing fails; the temporary file is deleted and the target is
     *                             left as it was
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = resolveLinks(file);
        Path dir = directoryOf(target);
        checkKind(target);
        Set<PosixFilePermission> mode = existingMode(target);
        deleteStale(dir, target.getFileName().toString());
        Path temp = dir.resolve(tempName(target));
        IN_FLIGHT.add(temp);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                // the lock tells a later writer of this target that the file is not a leftover
                content.writeTo(ch);
                ch.force(false);
            }
            if (mode != null) {
                Files.setPosixFilePermissions(temp, mode);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot write " + target + ": the file system cannot rename " + temp
                    + " onto it atomically", e);
        } catch (OutputFileException e) {
            throw e;
        } catch (IOException e) {
            // the temporary file's name means nothing to the user: name the file being written
            throw new OutputFileException("cannot write " + target + ": " + reason(e), e);
        } finally {
            deleteQuietly(temp);
            IN_FLIGHT.remove(temp);
        }
    }

    /** What the shutdown hook runs: delete every temporary file still being written. */
    private static void deleteInFlight() {
        for (Path temp : IN_FLIGHT) {
            deleteQuietly(temp);
        }
    }

    /**
     * The file that {@code file} names after following symbolic links; a dangling link's target
     * even though it does not exist yet.
     */
    private static Path resolveLinks(Path file) throws OutputFileException {
        // not normalized: "link/.." must mean what the kernel makes of it
        Path p = file.toAbsolutePath();
        for (int i = 0; i < MAX_LINKS; i++) {
            if (!Files.isSymbolicLink(p)) {
                return p;
            }
            try {
                Path link = Files.readSymbolicLink(p);
                p = p.resolveSibling(link);
            } catch (IOException e) {
                throw new OutputFileException("cannot follow the symbolic link " + p + ": " + reason(e), e);
            }
        }
        throw new OutputFileException(file + ": more than " + MAX_LINKS + " symbolic links in a row (a loop?)");
    }

    private static Path directoryOf(Path target) throws OutputFileException {
        Path dir = target.getParent();
        if (dir == null) {
            throw new OutputFileException(target + " is a file-system root, not a file");
        }
        return dir;
    }

    /** Refuses anything but a new name or a regular file the user may write. */
    private static void checkKind(Path target) throws OutputFileException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return; // a new name (or unreadable: creating the file will say why)
        }
        if (!a.isRegularFile()) {
            throw new OutputFileException(target + " is " + kind(target, a) + ", not a regular file: an output is"
                    + " written whole to a new file that then takes the old one's place, so only a regular file or a"
                    + " new name can be written");
        }
        if (!Files.isWritable(target)) {
            throw new OutputFileException(target + ": permission denied (the file is not writable; its mode is "
                    + modeText(target) + ")");
        }
    }

    private static String kind(Path target, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        try {
            Object mode = Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            switch (((Integer) mode) & 0170000) {
                case 0010000: return "a FIFO (named pipe)";
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0140000: return "a socket";
                default: break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: say less
        }
        return "a special file";
    }

    private static Set<PosixFilePermission> existingMode(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        return view == null ? null : view.readAttributes().permissions();
    }

    private static String modeText(Path target) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(target));
        } catch (IOException | UnsupportedOperationException e) {
            return "unknown";
        }
    }

    /** {@code .NAME.PID.RANDOM.tmp}: hidden, next to the target, and telling whose it is. */
    private static String tempName(Path target) {
        return prefix(target.getFileName().toString()) + PID + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong() >>> 1) + SUFFIX;
    }

    private static String prefix(String name) {
        return "." + name + ".";
    }

    /**
     * Deletes the temporary files of {@code name} left by writers that died (SIGKILL, power cut):
     * those whose process is gone and which no process holds locked. A live writer of the same
     * target, in this process or another, keeps its file.
     */
    private static void deleteStale(Path dir, String name) {
        String prefix = prefix(name);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, e -> {
            String n = e.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(SUFFIX);
        })) {
            for (Path leftover : entries) {
                long pid = writerPid(leftover.getFileName().toString(), prefix);
                if (pid < 0 || pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try (FileChannel ch = FileChannel.open(leftover, StandardOpenOption.WRITE);
                        FileLock lock = ch.tryLock()) {
                    if (lock != null) {
                        Files.deleteIfExists(leftover);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a leftover that cannot be removed is no reason to fail this write
        }
    }

    /** The PID in {@code .NAME.PID.RANDOM.tmp}, or -1 if the name is not one of ours. */
    private static long writerPid(String fileName, String prefix) {
        String middle = fileName.substring(prefix.length(), fileName.length() - SUFFIX.length());
        int dot = middle.indexOf('.');
        if (dot <= 0 || middle.indexOf('.', dot + 1) >= 0) {
            return -1;
        }
        try {
            Long.parseUnsignedLong(middle.substring(dot + 1), 16);
            return Long.parseLong(middle.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // nothing more can be done; the next write of the target removes it
        }
    }

    /** The reason of a file-system exception, without the (temporary) file name it starts with. */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return String.valueOf(e.getMessage());
    }
}
