package io.gradquant.distributed;

import io.gradquant.data.DebianDataPackage;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes sure Open MPI is here before a distributed run starts its ranks: {@code mpirun} on the PATH
 * and the MPI library loadable. Where it is missing and packages can be installed (root, apt-get),
 * it installs Debian's {@code openmpi-bin} and {@code libopenmpi-dev} and says so, as the run
 * command does for the data set; elsewhere it stops with one message saying what to install.
 */
public final class MpiPackages {
    /** The Debian packages of Open MPI: mpirun and the runtime, and mpicxx with the headers that build our library. */
    public static final List<String> DEBIAN = List.of("openmpi-bin", "libopenmpi-dev");

    private static final String BUILT_WITHOUT = "this gradquant was built without MPI (-Dgradquant.mpi=off)";

    private final DebianDataPackage apt;
    private final String mpirun;
    private final String mpicxx = "mpicxx";

    /** Installs with {@code apt-get} from the PATH, and looks for {@code mpirun} there. */
    public MpiPackages() {
        this(new DebianDataPackage(), "mpirun");
    }

    /** Installs with {@code apt}, and looks for the launcher {@code mpirun} on the PATH (tests pass stand-ins). */
    public MpiPackages(DebianDataPackage apt, String mpirun) {
        this.apt = apt;
        this.mpirun = mpirun;
    }

    /** The install command, for messages. */
    static String describe() {
        return "apt-get install " + String.join(" ", DEBIAN);
    }

    /**
     * Returns when {@code mpirun} is on the PATH and the MPI library loads, installing Open MPI first
     * if it must and can.
     *
     * @param log where apt-get's output and the note about installing go
     * @throws MpiException saying what to install (or what failed) when MPI cannot be made usable
     */
    public void ensureInstalled(PrintWriter log) {
        boolean inJar = MpiWorld.libraryInJar();
        String missing = missing(inJar);
        if (missing == null) {
            if (!inJar) {
                throw new MpiException(BUILT_WITHOUT + ", although Open MPI is installed here: build it again (./gradquant"
                        + " rebuilds by itself; or mvn package)");
            }
            return;
        }
        String cannot = apt.unavailableReason();
        if (cannot != null) {
            throw new MpiException(missing + ": a distributed run needs Open MPI; install it (Debian/Ubuntu: " + describe()
                    + "; it cannot be installed from here: " + cannot + ")" + (inJar ? "" : ", then build gradquant again"));
        }
        log.println("gradquant: " + missing + ": installing Open MPI (" + String.join(", ", DEBIAN) + ") with apt-get");
        log.flush();
        try {
            apt.install(DEBIAN, log);
        } catch (IOException e) {
            throw new MpiException("installing Open MPI failed: " + e.getMessage(), e);
        }
        String still = missing(inJar);
        if (still != null) {
            throw new MpiException("installed " + String.join(" and ", DEBIAN) + ", but " + still);
        }
        log.println("gradquant: installed " + String.join(" and ", DEBIAN));
        log.flush();
        if (!inJar) {
            throw new MpiException(BUILT_WITHOUT + ": run the command again through ./gradquant, which now rebuilds it"
                    + " with MPI (or mvn package)");
        }
    }

    /**
     * Null when what a distributed run needs is here, else what is missing: mpirun and the MPI
     * library; for a jar built without the library, mpirun and mpicxx (what a rebuild needs).
     */
    private String missing(boolean inJar) {
        if (!onPath(mpirun)) {
            return mpirun + " not found on the PATH";
        }
        if (!inJar) {
            return onPath(mpicxx) ? null : mpicxx + " not found on the PATH";
        }
        return MpiWorld.loadLibrary();
    }

    private static boolean onPath(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
