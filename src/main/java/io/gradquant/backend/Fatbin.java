package io.gradquant.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA fatbin packed in the jar ({@code /cuda/gradquant.fatbin}, built by cuda/Makefile), and a
 * reader of its container format, so that tests and {@code gradquant info} can say what it holds
 * without cuobjdump. The format, as nvcc 13 writes it: a 16-byte header (magic 0xBA55ED50, version,
 * header size, size of what follows), then entries, each a header (kind 1 = PTX or 2 = ELF cubin,
 * header size, payload size, flags, target architecture) followed by its payload. The build passes
 * {@code -no-compress}, so payloads are plain PTX text and ELF files.
 */
final class Fatbin {
    /** Class-path resource of the fatbin. */
    static final String RESOURCE = "/cuda/gradquant.fatbin";

    static final int MAGIC = 0xBA55ED50;
    static final int KIND_PTX = 1;
    static final int KIND_ELF = 2;
    /** Entry flag of a compressed payload. */
    static final long FLAG_COMPRESSED = 0x2000;

    private Fatbin() {
    }

    /** One entry: PTX or SASS (ELF) for one architecture, e.g. 75 for compute capability 7.5. */
    record Entry(int kind, int architecture, long flags, byte[] payload) {
        boolean isPtx() {
            return kind == KIND_PTX;
        }

        /**
         * The kernel (entry function) names in this entry: {@code .entry} directives of PTX, function
         * symbols of an ELF cubin.
         */
        Set<String> kernels() {
            return isPtx() ? ptxEntries(payload) : elfFunctions(payload);
        }
    }

    /** The fatbin of this jar, or null if the build had no nvcc. */
    static byte[] image() throws IOException {
        try (InputStream in = Fatbin.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * The entries of a fatbin image.
     *
     * @throws IllegalArgumentException if the image is not a fatbin as described above
     */
    static List<Entry> entries(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        require(image.length >= 16 && b.getInt(0) == MAGIC, "no fatbin magic number");
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        require(end <= image.length, "fatbin size " + end + " exceeds the image's " + image.length + " bytes");
        List<Entry> entries = new ArrayList<>();
        long at = headerSize;
        while (at < end) {
            int p = Math.toIntExact(at);
            require(p + 64 <= end, "truncated entry header at " + p);
            int kind = Short.toUnsignedInt(b.getShort(p));
            long entryHeader = Integer.toUnsignedLong(b.getInt(p + 4));
            long payloadSize = b.getLong(p + 8);
            int architecture = b.getInt(p + 28);
            long flags = b.getLong(p + 40);
            long payloadStart = at + entryHeader;
            require(payloadStart + payloadSize <= end, "entry at " + p + " runs past the end");
            byte[] payload = new byte[Math.toIntExact(payloadSize)];
            b.get(Math.toIntExact(payloadStart), payload);
            entries.add(new Entry(kind, architecture, flags, payload));
            at = payloadStart + payloadSize;
        }
        return entries;
    }

    /** One line for {@code gradquant info}: e.g. "SASS sm_75 sm_80, PTX compute_75". */
    static String describe(List<Entry> entries) {
        StringBuilder sass = new StringBuilder("SASS");
        StringBuilder ptx = new StringBuilder("PTX");
        for (Entry e : entries) {
            (e.isPtx() ? ptx.append(" compute_") : sass.append(" sm_")).append(e.architecture());
        }
        return sass + ", " + ptx;
    }

    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_][A-Za-z0-9_$]*)");

    private static Set<String> ptxEntries(byte[] ptx) {
        Set<String> names = new TreeSet<>();
        Matcher m = PTX_ENTRY.matcher(new String(ptx, StandardCharsets.US_ASCII));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Names of the STT_FUNC symbols of a little-endian ELF64 file. */
    private static Set<String> elfFunctions(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        require(elf.length >= 64 && b.getInt(0) == 0x464c457f && elf[4] == 2 && elf[5] == 1, "not a 64-bit little-endian ELF");
        int sectionTable = Math.toIntExact(b.getLong(0x28));
        int sectionSize = Short.toUnsignedInt(b.getShort(0x3a));
        int sections = Short.toUnsignedInt(b.getShort(0x3c));
        Set<String> names = new TreeSet<>();
        for (int s = 0; s < sections; s++) {
            int h = sectionTable + s * sectionSize;
            if (b.getInt(h + 4) != 2) { // SHT_SYMTAB
                continue;
            }
            int symbols = Math.toIntExact(b.getLong(h + 24));
            int symbolsSize = Math.toIntExact(b.getLong(h + 32));
            int entrySize = Math.toIntExact(b.getLong(h + 56));
            int strings = Math.toIntExact(b.getLong(sectionTable + b.getInt(h + 40) * sectionSize + 24));
            for (int at = symbols; at + entrySize <= symbols + symbolsSize; at += entrySize) {
                if ((elf[at + 4] & 0xf) == 2) { // STT_FUNC
                    int name = strings + b.getInt(at);
                    int stop = name;
                    while (elf[stop] != 0) {
                        stop++;
                    }
                    names.add(new String(elf, name, stop - name, StandardCharsets.US_ASCII));
                }
            }
        }
        return names;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("not a fatbin as nvcc writes it: " + message);
        }
    }
}
