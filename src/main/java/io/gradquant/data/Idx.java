package io.gradquant.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX files of MNIST-style data sets: a big-endian magic number (2051 for unsigned-byte
 * images of rank 3, 2049 for unsigned-byte labels of rank 1), big-endian dimension sizes, then the
 * bytes. Files may be gzip-compressed (detected from their first bytes, not their name).
 */
final class Idx {
    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    private Idx() {
    }

    /** Images of an IDX3 file. */
    record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /** Reads an unsigned-byte image file (magic 2051). */
    static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in, IMAGES_MAGIC, "images (idx3-ubyte)");
            int count = readDimension(file, in, "image count");
            int rows = readDimension(file, in, "row count");
            int cols = readDimension(file, in, "column count");
            long bytes = (long) count * rows * cols;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new CorruptDataException(file, count + " images of " + rows + "x" + cols + " are too many to load");
            }
            byte[] pixels = readExactly(file, in, (int) bytes, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (ZipException | EOFException e) {
            throw damagedGzip(file, e);
        }
    }

    /** Reads an unsigned-byte label file (magic 2049). */
    static byte[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in, LABELS_MAGIC, "labels (idx1-ubyte)");
            int count = readDimension(file, in, "label count");
            return readExactly(file, in, count, count + " labels");
        } catch (ZipException | EOFException e) {
            throw damagedGzip(file, e);
        }
    }

    /** The gzip layer failed (truncated or damaged compressed stream); the IDX checks raise their own errors. */
    private static CorruptDataException damagedGzip(Path file, IOException cause) {
        CorruptDataException e = new CorruptDataException(file, "damaged or truncated gzip data: " + cause.getMessage());
        e.initCause(cause);
        return e;
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }

    private static void checkMagic(Path file, DataInputStream in, int expected, String what) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new CorruptDataException(file, "too short to be an IDX file (no 4-byte magic number)");
        }
        if (magic != expected) {
            throw new CorruptDataException(file, "bad magic number " + magic + ": an IDX file of " + what
                    + " starts with " + expected);
        }
    }

    private static int readDimension(Path file, DataInputStream in, String what) throws IOException {
        int value;
        try {
            value = in.readInt();
        } catch (EOFException e) {
            throw new CorruptDataException(file, "header ends before the " + what);
        }
        if (value < 1) {
            throw new CorruptDataException(file, what + " " + value + " in the header is not allowed: it must be >= 1");
        }
        return value;
    }

    /** Reads exactly {@code n} bytes and requires the file to end there. */
    private static byte[] readExactly(Path file, DataInputStream in, int n, String what) throws IOException {
        byte[] data = in.readNBytes(n);
        if (data.length < n) {
            throw new CorruptDataException(file, "the header announces " + what + " (" + n + " bytes) but the data"
                    + " ends after " + data.length + " bytes");
        }
        if (in.read() != -1) {
            throw new CorruptDataException(file, "extra bytes after the " + what + " that the header announces");
        }
        return data;
    }
}
