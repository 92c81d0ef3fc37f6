package io.gradquant.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    private static final String GOOD_DICT = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    private static final float[] SIX = {1.5f, -2f, 0f, -0f, Float.MIN_VALUE, 3.4e38f};

    @TempDir
    Path dir;

    // ---- round trips ----

    @Test
    void roundTripKeepsValuesAndShape() throws IOException {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i) * i;
        }
        values[7] = Float.NaN;
        values[8] = Float.NEGATIVE_INFINITY;
        Path file = dir.resolve("a.npy");
        Npy.write(file, new long[] {10, 4, 25}, FloatBuffer.wrap(values));
        NpyArray back = Npy.readArray(file);
        assertArrayEquals(new long[] {10, 4, 25}, back.shape());
        assertTrue(back.data().isDirect());
        assertEquals(ByteOrder.nativeOrder(), back.data().order());
        assertEquals(0, back.data().position());
        assertArrayEquals(values, toArray(back.data()));
    }

    @Test
    void roundTripOfOneDimensionalZeroDimensionalAndEmptyArrays() throws IOException {
        Path one = dir.resolve("one.npy");
        Npy.write(one, FloatBuffer.wrap(SIX));
        assertArrayEquals(new long[] {6}, Npy.readArray(one).shape());
        assertArrayEquals(SIX, toArray(Npy.read(one)));

        Path scalar = dir.resolve("scalar.npy");
        Npy.write(scalar, new long[0], FloatBuffer.wrap(new float[] {42f}));
        assertArrayEquals(new long[0], Npy.readArray(scalar).shape());
        assertArrayEquals(new float[] {42f}, toArray(Npy.read(scalar)));

        Path empty = dir.resolve("empty.npy");
        Npy.write(empty, new long[] {0, 3}, FloatBuffer.wrap(new float[0]));
        assertArrayEquals(new long[] {0, 3}, Npy.readArray(empty).shape());
        assertEquals(0, Npy.read(empty).limit());
    }

    @Test
    void writeConcatenatesPartsAndIgnoresTheirPositions() throws IOException {
        FloatBuffer a = FloatBuffer.wrap(new float[] {1, 2, 3});
        a.position(2);
        FloatBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).asFloatBuffer().put(0, 4f).put(1, 5f);
        Path file = dir.resolve("parts.npy");
        Npy.write(file, new long[] {5}, a, b);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5}, toArray(Npy.read(file)));
        assertEquals(2, a.position(), "the caller's position is left alone");
    }

    @Test
    void writtenHeaderIsWhatNumpyWrites() throws IOException {
        Path file = dir.resolve("h.npy");
        Npy.write(file, new long[] {2, 3}, FloatBuffer.wrap(SIX));
        byte[] bytes = Files.readAllBytes(file);
        // as numpy writes it: version 1.0, the dict padded with spaces and a newline to a multiple of 64
        byte[] expected = header(1, GOOD_DICT);
        assertEquals(128, expected.length);
        assertArrayEquals(expected, java.util.Arrays.copyOf(bytes, 128));
        assertEquals(128 + 6 * 4, bytes.length);
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("r.npy");
        Files.writeString(file, "old content");
        Npy.write(file, FloatBuffer.wrap(SIX));
        assertArrayEquals(SIX, toArray(Npy.read(file)));
        assertEquals(1, countFiles(), "only the result is left in the directory");
    }

    @Test
    void failedWriteLeavesNothingBehind() throws IOException {
        Path target = dir.resolve("is-a-dir.npy");
        Files.createDirectory(Files.createDirectories(target).resolve("keep"));
        OutputFileException isDir = assertThrows(OutputFileException.class,
                () -> Npy.write(target, FloatBuffer.wrap(SIX)));
        assertTrue(isDir.getMessage().startsWith(target + " is a directory, not a regular file"), isDir.getMessage());
        assertTrue(Files.isDirectory(target.resolve("keep")));
        assertEquals(1, countFiles(), "the temporary file was removed");

        Path mismatch = dir.resolve("mismatch.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(mismatch, new long[] {4, 2}, FloatBuffer.wrap(SIX)));
        assertTrue(e.getMessage().contains("(4, 2) holds 8 values but the data has 6"), e.getMessage());
        assertFalse(Files.exists(mismatch));
        OutputFileException missing = assertThrows(OutputFileException.class,
                () -> Npy.write(dir.resolve("no/such/dir.npy"), FloatBuffer.wrap(SIX)));
        assertTrue(missing.getMessage().contains("cannot write " + dir.resolve("no/such/dir.npy")
                + ": no such file or directory"), missing.getMessage());
        assertEquals(1, countFiles());
    }

    // ---- reading files built byte by byte ----

    @Test
    void readsVersion1Header() throws IOException {
        Path file = file("v1.npy", concat(header(1, GOOD_DICT), data(SIX)));
        NpyArray a = Npy.readArray(file);
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(SIX, toArray(a.data()));
    }

    @Test
    void readsVersion2Header() throws IOException {
        // double quotes, no trailing comma, Python 2 long suffixes: all legal in a header
        String dict = "{\"descr\": \"<f4\", \"shape\": (6L,), \"fortran_order\": False}";
        Path file = file("v2.npy", concat(header(2, dict), data(SIX)));
        assertArrayEquals(new long[] {6}, Npy.readArray(file).shape());
        assertArrayEquals(SIX, toArray(Npy.read(file)));
    }

    @Test
    void readsVersion3HeaderInUtf8() throws IOException {
        Path file = file("v3.npy", concat(header(3, GOOD_DICT), data(SIX)));
        assertArrayEquals(SIX, toArray(Npy.read(file)));
    }

    // ---- malformed files ----

    @Test
    void rejectsBadMagic() throws IOException {
        byte[] bytes = header(1, GOOD_DICT);
        bytes[1] = 'X';
        assertRejected(concat(bytes, data(SIX)), "not a .npy file", "\\x93NUMPY", "found '\\x93XUMPY'");
        assertRejected("hi".getBytes(StandardCharsets.US_ASCII), "not a .npy file", "found 'hi'");
        assertRejected(new byte[0], "not a .npy file");
    }

    @Test
    void rejectsUnsupportedVersions() throws IOException {
        for (int[] version : new int[][] {{4, 0}, {1, 1}, {0, 0}}) {
            byte[] bytes = concat(header(1, GOOD_DICT), data(SIX));
            bytes[6] = (byte) version[0];
            bytes[7] = (byte) version[1];
            assertRejected(bytes, "unsupported .npy format version " + version[0] + "." + version[1],
                    "supported are 1.0, 2.0 and 3.0");
        }
    }

    @Test
    void rejectsOtherDtypesNamingTheOneFound() throws IOException {
        for (String dtype : new String[] {"<f8", ">f4", "<i4", "|u1", "<f2"}) {
            String dict = GOOD_DICT.replace("<f4", dtype);
            assertRejected(concat(header(1, dict), data(SIX)), "unsupported dtype '" + dtype + "'", "only '<f4'");
        }
        String structured = "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (3,), }";
        assertRejected(concat(header(1, structured), data(SIX)), "unsupported structured dtype [('a', '<f4'),",
                "only '<f4'");
    }

    @Test
    void rejectsFortranOrder() throws IOException {
        String dict = GOOD_DICT.replace("False", "True");
        assertRejected(concat(header(1, dict), data(SIX)), "fortran_order is True", "only C-order");
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        String[][] cases = {
            {"not a dict", "expected '{'"},
            {"{'descr': '<f4', 'fortran_order': False}", "keys must be exactly"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}", "expected a string, True"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 'y'}", "keys must be exactly"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'shape': (6,)}", "key 'shape' appears twice"},
            {"{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", "expected a string, True"},
            {"{'descr': '<f4', 'fortran_order': 'no', 'shape': (6,)}", "'fortran_order' must be True or False"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", "'shape' must be a tuple"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': 'six'}", "'shape' must be a tuple"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}", "negative dimension"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", "expected ',' or ')'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,)", "expected ',' or '}'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} trailing", "unexpected text after"},
            {"{'descr: '<f4', 'fortran_order': False, 'shape': (6,)}", "expected ':'"},
            {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large"},
        };
        for (String[] c : cases) {
            assertRejected(concat(header(1, c[0]), data(SIX)), "malformed .npy header", c[1]);
        }
    }

    @Test
    void rejectsHeaderLongerThanTheFile() throws IOException {
        byte[] bytes = header(1, GOOD_DICT);
        assertRejected(java.util.Arrays.copyOf(bytes, 40), "header length field says 118 bytes", "only 30 bytes after it");
        assertRejected(java.util.Arrays.copyOf(bytes, 9), "ends inside the header length");
    }

    @Test
    void rejectsDataShorterOrLongerThanTheShape() throws IOException {
        byte[] full = concat(header(1, GOOD_DICT), data(SIX));
        assertRejected(java.util.Arrays.copyOf(full, full.length - 3), "data is shorter than the shape says",
                "shape (2, 3) needs 24 bytes", "the file has 21");
        assertRejected(concat(full, new byte[4]), "data is longer than the shape says", "the file has 28");
    }

    @Test
    void rejectsArraysLargerThanOneBuffer() throws IOException {
        String dict = GOOD_DICT.replace("(2, 3)", "(1000000, 1000)");
        assertRejected(concat(header(1, dict), data(SIX)), "holds 1000000000 values", "2^31-1 bytes");
        dict = GOOD_DICT.replace("(2, 3)", "(9000000000000000000, 9000000000000000000)");
        assertRejected(concat(header(1, dict), data(SIX)), "holds more than 2^63 values");
    }

    @Test
    void missingFileAndDirectoryAreReported() {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Npy.read(dir.resolve("nope.npy")));
        assertTrue(missing.getMessage().contains("nope.npy"));
        IOException directory = assertThrows(IOException.class, () -> Npy.read(dir));
        assertTrue(directory.getMessage().contains("is a directory"), directory.getMessage());
    }

    // ---- helpers ----

    /** Magic, version, little-endian length and the dict padded like numpy to a multiple of 64. */
    static byte[] header(int major, String dict) {
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + text.length + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) (total - prefix));
        } else {
            b.putInt(total - prefix);
        }
        b.put(text);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    static byte[] data(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static float[] toArray(FloatBuffer b) {
        float[] a = new float[b.limit()];
        b.get(0, a);
        return a;
    }

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private long countFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private void assertRejected(byte[] bytes, String... fragments) throws IOException {
        Path file = file("bad.npy", bytes);
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }
}
