package io.gradquant.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads and writes NumPy .npy files holding little-endian float32 ({@code '<f4'}) arrays in C
 * order, of any shape. Reading accepts format versions 1.0, 2.0 and 3.0 and returns the values
 * flattened in a direct, native-order buffer, ready for every backend. Writing uses version 1.0
 * (2.0 if the header needs it) through {@link OutputFile}: the target is replaced atomically, a
 * failed write leaves no partial file behind, and only regular files (or new names) are written.
 *
 * <p>Arrays are limited to what one direct buffer can hold: 2^31-1 bytes of data.
 */
public final class Npy {
    /** The only dtype descriptor accepted: little-endian float32. */
    public static final String DESCR = "<f4";
    /** Largest data size, in bytes, that one buffer can hold. */
    public static final long MAX_DATA_BYTES = Integer.MAX_VALUE;
    /** Most values an array may hold: as many float32 as {@link #MAX_DATA_BYTES} holds, 2^29 - 1. */
    public static final int MAX_ELEMENTS = (int) (MAX_DATA_BYTES / Float.BYTES);

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so that the data starts on a multiple of this. */
    private static final int ALIGN = 64;
    /** Guards against a corrupt length field making us allocate gigabytes for the header. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    private static final int COPY_CHUNK = 1 << 16; // floats per write() call

    private Npy() {
    }

    /**
     * Reads a .npy file's values, flattened.
     *
     * @return a direct, native-order buffer of all values in C order, position 0, limit = size
     * @throws NpyFormatException if the file is not a readable '&lt;f4' C-order .npy file
     * @throws IOException        if it cannot be read
     */
    public static FloatBuffer read(Path file) throws IOException {
        return readArray(file).data();
    }

    /**
     * Reads a .npy file's shape and values. The file is read front to back once, so a named pipe,
     * {@code /dev/stdin} or a process substitution such as {@code <(python make.py)} works too.
     *
     * @throws NpyFormatException if the file is not a readable '&lt;f4' C-order .npy file
     * @throws IOException        if it cannot be read
     */
    public static NpyArray readArray(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a .npy file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // a regular file's size lets a short or long file be refused before its data is read;
            // a pipe's size is unknown, and files under /proc say 0 whatever they hold
            long size = Files.isRegularFile(file) && ch.size() > 0 ? ch.size() : -1;
            return read(new Source(ch, file.toString()), size);
        }
    }

    private static NpyArray read(Source in, long size) throws IOException {
        String where = in.where;
        byte[] magic = in.readUpTo(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new NpyFormatException(where + ": not a .npy file: it does not start with the magic string"
                    + " \\x93NUMPY (found '" + printable(magic) + "')");
        }
        ByteBuffer prefix = in.read(2, "the version");
        int major = prefix.get() & 0xff;
        int minor = prefix.get() & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyFormatException(where + ": unsupported .npy format version " + major + "." + minor
                    + ": supported are 1.0, 2.0 and 3.0");
        }
        // 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one; 3.0 allows UTF-8 in the header
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lengthField = in.read(lengthBytes, "the header length").order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthField.getShort() & 0xffffL : lengthField.getInt() & 0xffffffffL;
        long dataOffset = 8 + lengthBytes + headerLength;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(where + ": the header length field says " + headerLength
                    + " bytes: more than the " + MAX_HEADER_BYTES + " bytes allowed (numpy writes a few hundred)");
        }
        if (size >= 0 && dataOffset > size) {
            throw new NpyFormatException(where + ": the header length field says " + headerLength
                    + " bytes but the file has only " + Math.max(0, size - 8 - lengthBytes) + " bytes after it");
        }
        ByteBuffer headerBytes = in.read((int) headerLength, "the header");
        String text = new String(headerBytes.array(), 0, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, where);
        check(header, where);
        long bytes = header.elementCount() * Float.BYTES; // cannot overflow: check() limited the count
        if (size >= 0 && size - dataOffset != bytes) {
            throw wrongLength(where, header, bytes, dataOffset, size - dataOffset, "the file has");
        }
        ByteBuffer data = ByteBuffer.allocateDirect((int) bytes);
        long got = in.fill(data);
        if (got < bytes) {
            throw wrongLength(where, header, bytes, dataOffset, got, "the input ends after");
        }
        if (in.readUpTo(1).length > 0) {
            throw wrongLength(where, header, bytes, dataOffset, bytes + 1, "the input has at least");
        }
        data.flip();
        return new NpyArray(header.shape(), nativeOrder(data));
    }

    private static NpyFormatException wrongLength(String where, NpyHeader header, long bytes, long dataOffset,
            long found, String has) {
        return new NpyFormatException(where + ": data is " + (found < bytes ? "shorter" : "longer")
                + " than the shape says: shape " + NpyHeader.shapeText(header.shape()) + " needs " + bytes
                + " bytes of float32 data after the " + dataOffset + "-byte header, " + has + " " + found);
    }

    /** Rejects headers this reader does not handle, naming what was found and what is allowed. */
    private static void check(NpyHeader header, String where) throws NpyFormatException {
        if (!header.descr().equals(DESCR)) {
            throw new NpyFormatException(where + ": unsupported dtype '" + header.descr()
                    + "': only '<f4' (little-endian float32) is supported; convert with"
                    + " numpy.save(path, a.astype('<f4'))");
        }
        if (header.fortranOrder()) {
            throw new NpyFormatException(where + ": fortran_order is True: only C-order arrays are supported;"
                    + " save numpy.ascontiguousarray(a) instead");
        }
        long count;
        try {
            count = header.elementCount();
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ELEMENTS) {
            throw new NpyFormatException(where + ": shape " + NpyHeader.shapeText(header.shape()) + " holds "
                    + (count == Long.MAX_VALUE ? "more than 2^63" : Long.toString(count)) + " values: more than the "
                    + MAX_ELEMENTS + " float32 values (2^31-1 bytes) this reader supports");
        }
    }

    /** The data as native-order floats; a big-endian host converts once, so the backends always see native order. */
    private static FloatBuffer nativeOrder(ByteBuffer data) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return data.order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        FloatBuffer little = data.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        FloatBuffer nativeOrder = ByteBuffer.allocateDirect(data.limit()).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        nativeOrder.put(little).flip();
        return nativeOrder;
    }

    /** A channel read front to back, counting the bytes read for the messages. */
    private static final class Source {
        private final ReadableByteChannel ch;
        private final String where;
        private long position;

        Source(ReadableByteChannel ch, String where) {
            this.ch = ch;
            this.where = where;
        }

        /** Exactly {@code length} bytes, or a message saying the input ends inside {@code what}. */
        ByteBuffer read(int length, String what) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            if (fill(b) < length) {
                throw new NpyFormatException(where + ": not a complete .npy file: it ends inside " + what
                        + " (after " + position + " bytes)");
            }
            b.flip();
            return b;
        }

        /** Up to {@code length} bytes: fewer only where the input ends. */
        byte[] readUpTo(int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length);
            fill(b);
            return Arrays.copyOf(b.array(), b.position());
        }

        /** Reads until {@code b} is full or the input ends; returns the bytes read. */
        long fill(ByteBuffer b) throws IOException {
            long before = position;
            while (b.hasRemaining()) {
                int n = ch.read(b);
                if (n < 0) {
                    break;
                }
                position += n;
            }
            return position - before;
        }
    }

    /** Writes {@code data} (index 0 to its limit) as a 1-d array. */
    public static void write(Path file, FloatBuffer data) throws IOException {
        write(file, new long[] {data.limit()}, data);
    }

    /**
     * Writes a float32 C-order array whose values are the concatenation of {@code parts} (each
     * from index 0 to its limit; positions are ignored and left unchanged), as {@link OutputFile#write}
     * does: through a temporary file renamed over {@code file}, symbolic links written through.
     *
     * @param shape the array's shape; its product must equal the total length of the parts
     * @throws IllegalArgumentException if the shape does not match the data
     * @throws OutputFileException      if {@code file} is not a regular file or a new name
     * @throws IOException              if the file cannot be written; nothing is left behind
     */
    public static void write(Path file, long[] shape, FloatBuffer... parts) throws IOException {
        long total = 0;
        for (FloatBuffer p : parts) {
            total += p.limit();
        }
        NpyHeader header = new NpyHeader(DESCR, false, shape.clone());
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
        }
        if (header.elementCount() != total) {
            throw new IllegalArgumentException("shape " + NpyHeader.shapeText(shape) + " holds "
                    + header.elementCount() + " values but the data has " + total);
        }
        byte[] head = headerBytes(header);
        OutputFile.write(file, ch -> {
            writeAll(ch, ByteBuffer.wrap(head));
            writeData(ch, parts);
        });
    }

    /** Magic, version, length and the header padded with spaces and a newline to a multiple of 64. */
    static byte[] headerBytes(NpyHeader header) {
        byte[] dict = header.format().getBytes(StandardCharsets.ISO_8859_1);
        boolean v1 = 10 + dict.length + 1 <= 0xffff;
        int prefix = v1 ? 10 : 12;
        int padded = (prefix + dict.length + 1 + ALIGN - 1) / ALIGN * ALIGN;
        int headerLength = padded - prefix;
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) headerLength);
        } else {
            b.putInt(headerLength);
        }
        b.put(dict);
        while (b.position() < padded - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static void writeData(FileChannel ch, FloatBuffer[] parts) throws IOException {
        float[] chunk = new float[COPY_CHUNK];
        ByteBuffer bytes = ByteBuffer.allocate(COPY_CHUNK * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (FloatBuffer part : parts) {
            for (int i = 0; i < part.limit(); i += COPY_CHUNK) {
                int n = Math.min(COPY_CHUNK, part.limit() - i);
                part.get(i, chunk, 0, n);
                bytes.clear();
                bytes.asFloatBuffer().put(chunk, 0, n);
                bytes.limit(n * Float.BYTES);
                writeAll(ch, bytes);
            }
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte x : bytes) {
            int c = x & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }
}
