package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.gradquant.io.Npy;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --input} from what is not a regular file on disk: a named pipe, a /proc file, a truncated stream. */
class InputSourceTest {
    @TempDir
    Path dir;

    private byte[] npyBytes(int n) throws Exception {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) Math.sin(0.37 * i);
        }
        Path file = dir.resolve("source.npy");
        Npy.write(file, FloatBuffer.wrap(values));
        return Files.readAllBytes(file);
    }

    /** A FIFO that {@code bytes} will be written into once a reader opens it. */
    private Path fifoWith(byte[] bytes) throws Exception {
        Path fifo = dir.resolve("pipe-" + bytes.length + ".npy");
        OutputTargetTest.mkfifo(fifo);
        CompletableFuture.runAsync(() -> {
            try {
                Files.write(fifo, bytes); // blocks until the command opens the FIFO
            } catch (Exception e) {
                // a reader that stops early closes the pipe: nothing to do
            }
        });
        return fifo;
    }

    @Test
    void aNamedPipeIsReadLikeTheFile() throws Exception {
        byte[] bytes = npyBytes(3000);
        CliRunner.Result fromFile = CliRunner.run("quantize", "--json", "--backend", "java", "--input",
                dir.resolve("source.npy").toString());
        CliRunner.Result fromPipe = CliRunner.run("quantize", "--json", "--backend", "java", "--input",
                fifoWith(bytes).toString());
        assertEquals(0, fromPipe.code(), fromPipe.err());
        JsonObject file = StrictJson.parse(fromFile.out()).getAsJsonObject();
        JsonObject pipe = StrictJson.parse(fromPipe.out()).getAsJsonObject();
        assertEquals(3000, pipe.get("elements").getAsLong());
        for (String key : new String[] {"variance", "relative_mse", "relative_bias", "max_levels_per_bucket"}) {
            assertEquals(file.get(key), pipe.get(key), key);
        }
    }

    @Test
    void aTruncatedOrOverlongStreamSaysSo() throws Exception {
        byte[] bytes = npyBytes(100);
        CliRunner.Result r = CliRunner.run("quantize", "--backend", "java", "--input",
                fifoWith(java.util.Arrays.copyOf(bytes, bytes.length - 10)).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(": data is shorter than the shape says: shape (100,) needs 400 bytes of float32"
                + " data after the 128-byte header, the input ends after 390"), r.err());

        r = CliRunner.run("quantize", "--backend", "java", "--input",
                fifoWith(java.util.Arrays.copyOf(bytes, bytes.length + 1)).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(": data is longer than the shape says: shape (100,) needs 400 bytes"), r.err());
    }

    @Test
    void aProcFileIsReadAndRefusedForWhatItHolds() {
        // /proc files report size 0; the reader must look at their content, not at the size
        CliRunner.Result r = CliRunner.run("quantize", "--backend", "java", "--input", "/proc/self/status");
        assertEquals(1, r.code());
        assertEquals("gradquant: error: /proc/self/status: not a .npy file: it does not start with the magic string"
                + " \\x93NUMPY (found 'Name:\\x09')\n", r.err());
    }
}
