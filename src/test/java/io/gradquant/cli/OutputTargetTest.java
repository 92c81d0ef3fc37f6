package io.gradquant.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.harness.LearnableFashionMnist;
import io.gradquant.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code --output} and the result files of train and compare may write: a new name or a
 * regular file, never a FIFO, device or directory; through symbolic links; keeping the mode; and a
 * directory that cannot be written is a usage error before any work.
 */
class OutputTargetTest {
    @TempDir
    Path dir;

    private CliRunner.Result quantizeTo(Path output) {
        return CliRunner.run("quantize", "--synthetic", "normal:2000", "--backend", "java", "--output",
                output.toString());
    }

    /** A usage error (exit 2), one line containing every fragment, nothing printed on stdout. */
    private static void assertUsageError(CliRunner.Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
        assertEquals("", r.out());
    }

    private List<String> hiddenFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void aFifoIsRefusedAndStaysAFifo() throws Exception {
        Path fifo = dir.resolve("pipe.npy");
        mkfifo(fifo);
        assertUsageError(quantizeTo(fifo), "--output " + fifo + ": " + fifo + " is a FIFO (named pipe), not a regular"
                + " file");
        assertTrue(isFifo(fifo), "the FIFO is still there");
        assertEquals(List.of(), hiddenFiles());
    }

    @Test
    void aDeviceIsRefusedAndStaysADevice() throws Exception {
        // a device node of its own (the same as /dev/null), so that a regression replaces nothing real
        Path device = dir.resolve("null.npy");
        assumeTrue(run("mknod", device.toString(), "c", "1", "3") == 0, "mknod needs root (CAP_MKNOD)");
        assertUsageError(quantizeTo(device), device + " is a character device, not a regular file");
        assertEquals(0020000, fileType(device), "still a character device");
        assertEquals(List.of(), hiddenFiles());
    }

    @Test
    void aDirectoryIsRefused() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub.npy"));
        assertUsageError(quantizeTo(sub), sub + " is a directory, not a regular file");
        assertTrue(Files.isDirectory(sub));
    }

    @Test
    void anExistingFileKeepsItsMode() throws Exception {
        Path file = dir.resolve("kept.npy");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        CliRunner.Result r = quantizeTo(file);
        assertEquals(0, r.code(), r.err());
        assertEquals(2000, Npy.read(file).limit());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of(), hiddenFiles());
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real")).resolve("data.npy");
        Files.writeString(real, "old");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-rw----"));
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), Path.of("real/data.npy"));
        CliRunner.Result r = quantizeTo(link);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is not replaced");
        assertEquals(Path.of("real/data.npy"), Files.readSymbolicLink(link));
        assertEquals(2000, Npy.read(real).limit());
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));

        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.npy"), dir.resolve("real/new.npy"));
        r = quantizeTo(dangling);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals(2000, Npy.read(dir.resolve("real/new.npy")).limit(), "a dangling link's target is created");
        assertArrayEquals(new String[0], Files.list(dir.resolve("real"))
                .map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toArray());
    }

    @Test
    void aSymbolicLinkToAFifoOrInALoopIsRefused() throws Exception {
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        Path link = Files.createSymbolicLink(dir.resolve("to-fifo.npy"), fifo);
        assertUsageError(quantizeTo(link), "--output " + link + ": " + fifo + " is a FIFO");
        assertTrue(isFifo(fifo));

        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        assertUsageError(quantizeTo(a), "more than 40 symbolic links in a row");
    }

    @Test
    void anUnwritableDirectoryIsAUsageErrorBeforeTheWork() throws Exception {
        Path locked = unwritableDirectory();
        Path output = locked.resolve("out.npy");
        // large enough that work done first would show: the error must come before it
        CliRunner.Result r = CliRunner.run("quantize", "--synthetic", "normal:20000000", "--backend", "java",
                "--output", output.toString());
        assertUsageError(r, "--output " + output + ": cannot create files in directory " + locked + ": ");
        assertFalse(r.err().contains(".tmp"), "the temporary file's name means nothing to the user: " + r.err());
    }

    @Test
    void anUnwritableOrUnsuitableResultsDirectoryIsAUsageErrorBeforeTheData() throws Exception {
        Path data = LearnableFashionMnist.write(Files.createDirectory(dir.resolve("data")), 64, 32);
        Path locked = unwritableDirectory();
        for (String command : List.of("train", "compare")) {
            Path out = locked.resolve("run");
            CliRunner.Result r = CliRunner.run(command, "--model", "mlp", "--dataset", "fashion-mnist", "--data-dir",
                    data.toString(), "--epochs", "1", "--out", out.toString());
            assertUsageError(r, "--out " + out + ": cannot create files in directory " + locked + ": ");
            assertFalse(r.err().contains("fashion-mnist from"), "the data was not even looked for: " + r.err());
        }

        // forced into an existing directory, each result file there must be one that may be replaced
        Path forced = Files.createDirectory(dir.resolve("forced"));
        mkfifo(forced.resolve("summary.json"));
        CliRunner.Result r = CliRunner.run("train", "--model", "mlp", "--dataset", "fashion-mnist", "--data-dir",
                data.toString(), "--epochs", "1", "--force", "--out", forced.toString());
        assertUsageError(r, "--out " + forced + ": " + forced.resolve("summary.json") + " is a FIFO");
        assertTrue(isFifo(forced.resolve("summary.json")));
        assertFalse(Files.exists(forced.resolve("metrics.csv")), "nothing written");
    }

    /**
     * A directory in which this process cannot create files, whoever it runs as: /sys refuses new
     * files even to root (a chmod 555 directory would not stop root).
     */
    private static Path unwritableDirectory() {
        Path sys = Path.of("/sys");
        boolean refuses;
        try {
            Files.delete(Files.createFile(sys.resolve("gradquant-test-probe")));
            refuses = false;
        } catch (IOException e) {
            refuses = true;
        }
        assumeTrue(Files.isDirectory(sys) && refuses, "needs a mounted /sys that refuses new files");
        return sys;
    }

    static void mkfifo(Path path) throws Exception {
        assertEquals(0, run("mkfifo", path.toString()), "mkfifo " + path);
    }

    static boolean isFifo(Path path) throws IOException {
        return fileType(path) == 0010000;
    }

    /** The file-type bits of st_mode (S_IFMT): 0010000 FIFO, 0020000 character device, 0100000 regular file. */
    private static int fileType(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
