package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.gradquant.JvmProcess;
import io.gradquant.io.Npy;
import java.io.RandomAccessFile;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes against the input and the memory: in a JVM of 128 MiB (heap and direct memory), what
 * fits runs, however large the bucket, and what does not is refused before anything is allocated,
 * naming the option. In the test JVM, with gigabytes to spare, an allocation by the bucket would
 * go unnoticed; here it fails.
 */
class InputSizeTest {
    @TempDir
    Path dir;

    private static JvmProcess.Result gradquant(List<String> jvmOptions, String... args) throws Exception {
        return JvmProcess.run(jvmOptions, Main.class.getName(), List.of(args), Map.of());
    }

    private static String oneErrorLine(JvmProcess.Result r) {
        List<String> lines = r.err().lines().filter(l -> l.startsWith("gradquant: error: ")).toList();
        assertEquals(1, lines.size(), r.err());
        return lines.get(0);
    }

    @Test
    void aBucketLargerThanTheInputAllocatesByTheInput() throws Exception {
        for (String[] q : new String[][] {{"standard", "cpu"}, {"smart", "java"}, {"hadamard", "cpu"}}) {
            // a billion-value bucket would be 4 GB of floats; 20,000 values fit in 128 MiB many times over
            JvmProcess.Result r = gradquant(List.of(), "quantize", "--synthetic", "normal:20000", "--bucket-size",
                    "1000000000", "--repeat", "3", "--quantizer", q[0], "--backend", q[1], "--json");
            assertEquals(0, r.code(), q[0] + " on " + q[1] + ": " + r.err());
            JsonObject o = StrictJson.parse(r.out()).getAsJsonObject();
            assertEquals(1000000000, o.get("bucket_size").getAsInt());
            assertEquals(20000, o.get("elements").getAsLong());
            assertTrue(o.get("max_levels_per_bucket").getAsInt() > 1, o.toString());
        }
    }

    @Test
    void aSyntheticInputAboveTheLimitIsRefusedNamingOptionAndLimit() throws Exception {
        JvmProcess.Result r = gradquant(List.of(), "quantize", "--synthetic", "normal:3000000000");
        assertEquals(2, r.code(), r.err());
        assertEquals("gradquant: error: Invalid value for option '--synthetic': element count 3000000000 in"
                + " 'normal:3000000000' is not allowed: it must be in [1, " + Npy.MAX_ELEMENTS + "] (2^29 - 1, the"
                + " most float32 values a .npy file here may hold)", oneErrorLine(r));
    }

    @Test
    void anInputLargerThanTheMemoryIsRefusedBeforeAllocating() throws Exception {
        // 100 million values: 400 MB, and a working copy of it, in a JVM allowed 128 MiB
        JvmProcess.Result r = gradquant(List.of(), "quantize", "--synthetic", "normal:100000000");
        assertEquals(2, r.code(), r.err());
        assertTrue(oneErrorLine(r).startsWith("gradquant: error: --synthetic normal:100000000 needs 0.75 GiB of"
                + " direct memory, more than the "), r.err());
        assertTrue(r.err().contains("JAVA_OPTS="), "says how to give Java more: " + r.err());

        // --repeat above 1 sums the outputs on the heap: 8 bytes a value
        r = gradquant(List.of("-XX:MaxDirectMemorySize=1g"), "quantize", "--synthetic", "normal:20000000",
                "--repeat", "2");
        assertEquals(2, r.code(), r.err());
        assertTrue(oneErrorLine(r).startsWith("gradquant: error: --synthetic normal:20000000 with --repeat 2 needs"
                + " 0.15 GiB of heap, more than the "), r.err());

        // a file's size is known before it is read (a sparse file: no disk is used)
        Path big = dir.resolve("big.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000,), }";
        String padded = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(128).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) padded.length())
                .put(padded.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(header.array());
            f.setLength(128 + 400_000_000L);
        }
        r = gradquant(List.of(), "quantize", "--input", big.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(oneErrorLine(r).startsWith("gradquant: error: --input " + big + " (a file of 400000128 bytes)"
                + " needs 0.75 GiB of direct memory"), r.err());
    }

    @Test
    void theSyntheticLimitIsTheLimitOfAnNpyFile() {
        // one constant: a synthetic input can always be written with --output and read back with --input
        assertEquals(Npy.MAX_DATA_BYTES / Float.BYTES, Npy.MAX_ELEMENTS);
        assertEquals((1 << 29) - 1, Npy.MAX_ELEMENTS);
        List<String> refused = new ArrayList<>();
        for (long n : new long[] {Npy.MAX_ELEMENTS, Npy.MAX_ELEMENTS + 1L}) {
            try {
                Synthetic.parse("uniform:" + n);
            } catch (IllegalArgumentException e) {
                refused.add(Long.toString(n));
            }
        }
        assertEquals(List.of(Long.toString(Npy.MAX_ELEMENTS + 1L)), refused);
    }
}
