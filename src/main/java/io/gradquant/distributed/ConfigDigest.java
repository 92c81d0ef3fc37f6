package io.gradquant.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks, before training, that every rank runs the same configuration: each rank's fields (name
 * to value, for example model, parameter shapes, quantizer spec, collective, data set) are
 * allgathered and compared field by field. If any differs, every rank throws the same
 * {@link ConfigurationMismatchException} naming the field, the values and the ranks that hold them.
 */
public final class ConfigDigest {
    /** Values longer than this are shortened in messages. */
    private static final int SHOWN = 120;

    private ConfigDigest() {
    }

    /**
     * Returns when every rank passed the same fields with the same values; a collective call.
     *
     * @throws ConfigurationMismatchException on every rank, naming the first differing field
     */
    public static void requireSame(Collectives world, Map<String, String> fields) {
        List<ByteBuffer> all = world.allgather(encode(fields));
        List<Map<String, String>> ranks = new ArrayList<>();
        for (int j = 0; j < all.size(); j++) {
            ranks.add(decode(all.get(j), j));
        }
        String difference = firstDifference(ranks);
        if (difference != null) {
            throw new ConfigurationMismatchException("the ranks' configurations differ: " + difference);
        }
    }

    /** The first field (in rank 0's order, then any other) whose value differs between ranks, described; null if none. */
    static String firstDifference(List<Map<String, String>> ranks) {
        LinkedHashMap<String, Boolean> names = new LinkedHashMap<>();
        for (Map<String, String> r : ranks) {
            r.keySet().forEach(k -> names.put(k, true));
        }
        for (String name : names.keySet()) {
            // value -> ranks holding it (null: the field is missing)
            Map<String, List<Integer>> holders = new TreeMap<>();
            for (int j = 0; j < ranks.size(); j++) {
                String v = ranks.get(j).get(name);
                holders.computeIfAbsent(v == null ? "\u0000" : v, k -> new ArrayList<>()).add(j);
            }
            if (holders.size() > 1) {
                List<String> parts = new ArrayList<>();
                holders.entrySet().stream()
                        .sorted((a, b) -> Integer.compare(a.getValue().get(0), b.getValue().get(0)))
                        .forEach(e -> parts.add(ranksText(e.getValue()) + (e.getKey().equals("\u0000")
                                ? " no such field" : " " + shown(e.getKey()))));
                return "field '" + name + "': " + String.join("; ", parts);
            }
        }
        return null;
    }

    private static String ranksText(List<Integer> ranks) {
        if (ranks.size() == 1) {
            return "rank " + ranks.get(0) + " has";
        }
        return "ranks " + ranks.toString().replaceAll("[\\[\\]]", "") + " have";
    }

    private static String shown(String value) {
        return "'" + (value.length() <= SHOWN ? value : value.substring(0, SHOWN) + "... (" + value.length() + " chars)") + "'";
    }

    /** count, then per field: name length, name, value length, value (UTF-8, little-endian ints). */
    private static ByteBuffer encode(Map<String, String> fields) {
        List<byte[]> parts = new ArrayList<>();
        int bytes = Integer.BYTES;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            for (String s : new String[] {e.getKey(), e.getValue()}) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                parts.add(b);
                bytes += Integer.BYTES + b.length;
            }
        }
        ByteBuffer out = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(fields.size());
        for (byte[] b : parts) {
            out.putInt(b.length).put(b);
        }
        return out.flip();
    }

    private static Map<String, String> decode(ByteBuffer in, int rank) {
        ByteBuffer b = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Map<String, String> fields = new LinkedHashMap<>();
        int count = readInt(b, rank);
        for (int i = 0; i < count; i++) {
            String name = readString(b, rank);
            fields.put(name, readString(b, rank));
        }
        return fields;
    }

    private static int readInt(ByteBuffer b, int rank) {
        if (b.remaining() < Integer.BYTES) {
            throw new ConfigurationMismatchException("the configuration rank " + rank + " sent is truncated");
        }
        int v = b.getInt();
        if (v < 0 || v > b.remaining()) {
            throw new ConfigurationMismatchException("the configuration rank " + rank + " sent is corrupt (count " + v + ")");
        }
        return v;
    }

    private static String readString(ByteBuffer b, int rank) {
        byte[] bytes = new byte[readInt(b, rank)];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
