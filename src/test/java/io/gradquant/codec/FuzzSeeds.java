package io.gradquant.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed corpus of {@link DecoderFuzzTest} (run from the project root, as
 * docs/wire-format.md, "Fuzzing the decoders", says): every base message as it is; every bad message of {@link BadMessages} as
 * raw bytes; and, for every base, mutation inputs that change each header field, the segment
 * table, a record, the codes, the raw values and the length, with the checksum recomputed and
 * (once per base) left stale.
 */
public final class FuzzSeeds {
    /** Header fields: offset and width, in the order of docs/wire-format.md. */
    static final int[][] HEADER_FIELDS = {
        {WireFormat.AT_MAGIC, 4}, {WireFormat.AT_VERSION, 2}, {WireFormat.AT_QUANTIZER, 1}, {WireFormat.AT_LAYOUT, 1},
        {WireFormat.AT_LEVELS, 2}, {WireFormat.AT_CODE_BITS, 1}, {WireFormat.AT_NORM, 1}, {WireFormat.AT_BUCKET_SIZE, 4},
        {WireFormat.AT_ELEMENTS, 8}, {WireFormat.AT_SEED, 8}, {WireFormat.AT_STEP, 8}, {WireFormat.AT_BUCKETS, 8},
        {WireFormat.AT_RAW_VALUES, 8}, {WireFormat.AT_LENGTH, 8}, {WireFormat.AT_SMART_FRACTION, 8},
        {WireFormat.AT_SEGMENTS, 4}, {WireFormat.AT_RESERVED, 4},
    };

    private FuzzSeeds() {
    }

    /** The seeds, by file name. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        List<BadMessages.Base> bases = BadMessages.BASES;
        for (int b = 0; b < bases.size(); b++) {
            String name = bases.get(b).name();
            seeds.put("raw-" + name + "-valid", raw(bases.get(b).message().bytes()));
            for (int[] field : HEADER_FIELDS) {
                // all ones: the largest value, or -1, or NaN
                seeds.put("mutate-" + name + "-header-" + field[0], mutation(b, false, 0, field[0], field[1], (byte) 0xFF));
            }
            seeds.put("mutate-" + name + "-segment-table", mutation(b, false, 1, 0, 8, (byte) 0x7F));
            seeds.put("mutate-" + name + "-record", mutation(b, false, 2, 1, 4, (byte) 0xFF));
            seeds.put("mutate-" + name + "-codes", mutation(b, false, 3, 0, 8, (byte) 0xFF));
            seeds.put("mutate-" + name + "-raw-values", mutation(b, false, 4, 0, 4, (byte) 0xC0));
            seeds.put("mutate-" + name + "-stale-checksum", mutation(b, true, 5, 100, 1, (byte) 0x01));
            seeds.put("mutate-" + name + "-cut", mutation(b, false, DecoderFuzzing.PARTS - 1, 90, 1, (byte) 0));
        }
        for (BadMessages.Case c : BadMessages.cases()) {
            String name = ("raw-" + c.base().name() + "-" + c.what()).replaceAll("[^A-Za-z0-9]+", "-");
            seeds.put(name, raw(c.bytes().bytes()));
        }
        return seeds;
    }

    private static byte[] raw(byte[] message) {
        byte[] input = new byte[message.length + 1];
        System.arraycopy(message, 0, input, 1, message.length);
        return input; // byte 0 even: a raw input
    }

    /** A mutation input of one change: {@code count} bytes of {@code value} at {@code position} of part {@code part}. */
    private static byte[] mutation(int base, boolean staleChecksum, int part, int position, int count, byte value) {
        byte[] input = new byte[3 + 4 + count];
        input[0] = 1;
        input[1] = (byte) base;
        input[2] = (byte) (staleChecksum ? 1 : 0);
        input[3] = (byte) part;
        input[4] = (byte) position;
        input[5] = (byte) (position >>> 8);
        input[6] = (byte) (count - 1);
        for (int i = 0; i < count; i++) {
            input[7 + i] = value;
        }
        return input;
    }

    /** Writes the seeds into the directory given (default: the test resources' DecoderFuzzTestInputs). */
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/io/gradquant/codec/DecoderFuzzTestInputs");
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : seeds().entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
