package io.gradquant.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed seed corpus of {@link DecoderFuzzTest} covers what the issue asks for: every header
 * field changed, and the segment table, the records, the codes, the raw values, the checksum and
 * the length; and it is what {@link FuzzSeeds} writes (so it can be regenerated, not hand-edited).
 */
class FuzzCorpusTest {
    static Path corpus() throws URISyntaxException {
        return Path.of(FuzzCorpusTest.class.getResource("DecoderFuzzTestInputs").toURI());
    }

    @Test
    void everyHeaderFieldAndEveryPartIsChangedBySomeSeed() throws Exception {
        TreeSet<String> covered = new TreeSet<>();
        try (Stream<Path> files = Files.list(corpus())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                covered.addAll(changedParts(DecoderFuzzing.message(Files.readAllBytes(f))));
            }
        }
        List<String> wanted = new ArrayList<>();
        for (int[] field : FuzzSeeds.HEADER_FIELDS) {
            wanted.add("header " + field[0]);
        }
        wanted.addAll(List.of("segment table", "records", "codes", "raw values", "checksum", "length"));
        for (String part : wanted) {
            assertTrue(covered.contains(part), "no seed changes the " + part + "; covered: " + covered);
        }
    }

    /**
     * What a message changes compared with the base message closest to it (fewest differing header
     * bytes): header fields by offset, and the parts after the header.
     */
    static List<String> changedParts(byte[] message) {
        MessageBytes closest = null;
        int fewest = Integer.MAX_VALUE;
        for (BadMessages.Base b : BadMessages.BASES) {
            int differing = 0;
            for (int i = 0; i < Math.min(WireFormat.HEADER_BYTES, Math.min(message.length, b.message().length())); i++) {
                differing += message[i] != b.message().bytes()[i] ? 1 : 0;
            }
            if (differing < fewest) {
                fewest = differing;
                closest = b.message();
            }
        }
        List<String> parts = new ArrayList<>();
        byte[] base = closest.bytes();
        if (message.length != base.length) {
            parts.add("length");
        }
        for (int[] field : FuzzSeeds.HEADER_FIELDS) {
            if (message.length >= field[0] + field[1]
                    && !Arrays.equals(message, field[0], field[0] + field[1], base, field[0], field[0] + field[1])) {
                parts.add("header " + field[0]);
            }
        }
        int n = Math.min(message.length, base.length);
        int table = closest.tableOffset();
        int codes = closest.codesOffset();
        int raw = BadMessages.firstRawByte(closest);
        String[] names = {"segment table", "records", "codes", "raw values"};
        int[] bounds = {WireFormat.HEADER_BYTES, table, codes, raw, base.length - 4};
        for (int p = 0; p < names.length; p++) {
            if (bounds[p] < n && !Arrays.equals(message, bounds[p], Math.min(n, bounds[p + 1]), base, bounds[p],
                    Math.min(n, bounds[p + 1]))) {
                parts.add(names[p]);
            }
        }
        if (message.length == base.length && !Arrays.equals(message, n - 4, n, base, n - 4, n)
                && Arrays.equals(message, 0, n - 4, base, 0, n - 4)) {
            parts.add("checksum");
        }
        return parts;
    }

    @Test
    void theCorpusIsWhatFuzzSeedsWrites() throws Exception {
        Map<String, byte[]> seeds = FuzzSeeds.seeds();
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Path f = corpus().resolve(e.getKey());
            assertTrue(Files.isRegularFile(f), "seed " + e.getKey() + " is missing: run FuzzSeeds");
            assertTrue(Arrays.equals(e.getValue(), Files.readAllBytes(f)), "seed " + e.getKey() + " differs: run FuzzSeeds");
        }
        try (Stream<Path> files = Files.list(corpus())) {
            assertEquals(seeds.size(), files.filter(Files::isRegularFile).count(), "files in the corpus that FuzzSeeds does not write");
        }
    }
}
