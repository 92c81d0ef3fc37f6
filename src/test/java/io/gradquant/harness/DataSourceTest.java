package io.gradquant.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.data.DataLocator;
import io.gradquant.data.DataNotFoundException;
import io.gradquant.data.DatasetKind;
import io.gradquant.data.DebianDataPackage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing data: install the Debian package when possible and say so, else one clear error. */
class DataSourceTest {
    @TempDir
    Path root;

    /** A stand-in for apt-get that logs its arguments and, on install, writes the data where the locator looks. */
    private Path fakeAptGet(Path data, boolean installWorks) throws Exception {
        Path script = root.resolve("apt-get");
        String install = installWorks
                ? "mkdir -p " + data + " && cp " + root.resolve("source") + "/* " + data
                : "echo 'E: Unable to locate package' && exit 100";
        Files.writeString(script, "#!/bin/sh\necho \"apt-get $*\"\nif [ \"$1\" = install ]; then " + install
                + "; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        LearnableFashionMnist.write(Files.createDirectories(root.resolve("source")), 10, 10);
        return script;
    }

    @Test
    void installsThePackageWhenNothingIsFoundAndSaysSo() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing needs root, as on CI");
        Path data = root.resolve("installed");
        DataSource source = new DataSource(new DataLocator(data.toString(), false),
                new DebianDataPackage(fakeAptGet(data, true).toString()), true);
        StringWriter log = new StringWriter();
        DataLocator.Location found = source.locate(DatasetKind.FASHION_MNIST, null, new PrintWriter(log));
        assertEquals(data, found.dir());
        assertTrue(log.toString().startsWith("gradquant: fashion-mnist data not found; installing the Debian package"
                + " dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist"), log.toString());
        assertTrue(log.toString().contains("  apt-get install -y -q dataset-fashion-mnist\n"), log.toString());
    }

    @Test
    void aFailedInstallIsRetriedAfterAnUpdateThenReported() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing needs root, as on CI");
        Path data = root.resolve("never");
        DataSource source = new DataSource(new DataLocator(data.toString(), false),
                new DebianDataPackage(fakeAptGet(data, false).toString()), true);
        StringWriter log = new StringWriter();
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> source.locate(DatasetKind.FASHION_MNIST, null, new PrintWriter(log)));
        assertTrue(log.toString().contains("  apt-get update -q\n"), log.toString());
        assertTrue(e.getMessage().startsWith("fashion-mnist data not found. Looked in:"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(Installing dataset-fashion-mnist automatically failed: apt-get install"
                + " dataset-fashion-mnist failed with exit code 100: apt-get install -y -q dataset-fashion-mnist"
                + " / E: Unable to locate package)"), e.getMessage());
    }

    @Test
    void noInstallWhenADirectoryWasGivenOrAptIsMissing() throws Exception {
        Path given = Files.createDirectory(root.resolve("given"));
        DataSource source = new DataSource(new DataLocator(null, false),
                new DebianDataPackage(root.resolve("no-apt-get").toString()), true);
        StringWriter log = new StringWriter();
        DataNotFoundException explicit = assertThrows(DataNotFoundException.class,
                () -> source.locate(DatasetKind.FASHION_MNIST, given, new PrintWriter(log)));
        assertTrue(explicit.getMessage().endsWith("set GRADQUANT_DATA to it."), explicit.getMessage());
        DataNotFoundException missing = assertThrows(DataNotFoundException.class,
                () -> source.locate(DatasetKind.FASHION_MNIST, null, new PrintWriter(log)));
        assertTrue(missing.getMessage().endsWith("(Could not install dataset-fashion-mnist automatically: "
                + root.resolve("no-apt-get") + " not found.)"), missing.getMessage());
        assertEquals("", log.toString(), "nothing was attempted");
    }
}
