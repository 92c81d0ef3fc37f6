package io.gradquant.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gradquant.data.DebianDataPackage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding Open MPI before a distributed run, installing it where it can, saying what to install where it cannot. */
@Tag("mpi")
class MpiPackagesTest {
    @TempDir
    Path root;

    /** An apt-get stand-in that logs its arguments and, on install, creates {@code mpirun} at {@code mpirun}. */
    private Path fakeAptGet(Path mpirun) throws Exception {
        Path script = root.resolve("apt-get");
        Files.writeString(script, "#!/bin/sh\necho \"apt-get $*\"\nif [ \"$1\" = install ]; then printf '#!/bin/sh\\n' > "
                + mpirun + " && chmod +x " + mpirun + "; fi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void installsOpenMpiWhenMpirunIsMissingAndSaysSo() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "installing needs root, as on CI");
        Path mpirun = root.resolve("mpirun");
        StringWriter log = new StringWriter();
        new MpiPackages(new DebianDataPackage(fakeAptGet(mpirun).toString()), mpirun.toString())
                .ensureInstalled(new PrintWriter(log));
        String text = log.toString();
        assertTrue(text.startsWith("gradquant: " + mpirun + " not found on the PATH: installing Open MPI (openmpi-bin,"
                + " libopenmpi-dev) with apt-get\n"), text);
        assertTrue(text.contains("  apt-get install -y -q openmpi-bin libopenmpi-dev\n"), text);
        assertTrue(text.endsWith("gradquant: installed openmpi-bin and libopenmpi-dev\n"), text);
    }

    @Test
    void withoutAWayToInstallItSaysWhatToInstall() {
        Path mpirun = root.resolve("mpirun");
        MpiException e = assertThrows(MpiException.class, () -> new MpiPackages(
                new DebianDataPackage(root.resolve("no-apt-get").toString()), mpirun.toString())
                .ensureInstalled(new PrintWriter(new StringWriter())));
        assertEquals(mpirun + " not found on the PATH: a distributed run needs Open MPI; install it (Debian/Ubuntu:"
                + " apt-get install openmpi-bin libopenmpi-dev; it cannot be installed from here: " + root.resolve("no-apt-get")
                + " not found)", e.getMessage());
    }

    @Test
    void anInstalledOpenMpiIsLeftAlone() throws Exception {
        Path apt = root.resolve("apt-get");
        Files.writeString(apt, "#!/bin/sh\necho called >> " + root.resolve("calls") + "\nexit 1\n");
        Files.setPosixFilePermissions(apt, PosixFilePermissions.fromString("rwx------"));
        StringWriter log = new StringWriter();
        new MpiPackages(new DebianDataPackage(apt.toString()), "mpirun").ensureInstalled(new PrintWriter(log));
        assertEquals("", log.toString());
        assertTrue(Files.notExists(root.resolve("calls")));
    }
}
