package io.gradquant.harness;

import io.gradquant.data.DataLocator;
import io.gradquant.data.DataNotFoundException;
import io.gradquant.data.DatasetKind;
import io.gradquant.data.DebianDataPackage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Finds a data set, installing its Debian package when it is nowhere to be found and that is
 * possible: no directory was given, installing is allowed, the data set has a package, apt-get is
 * there and this runs as root. Says on the log what it is about to do before it does it. Otherwise
 * the locator's message (every place looked at, how to get the data) is the error.
 */
public final class DataSource {
    private final DataLocator locator;
    private final DebianDataPackage packages;
    private final boolean allowInstall;

    /**
     * @param allowInstall whether a missing data set's package may be installed
     */
    public DataSource(DataLocator locator, DebianDataPackage packages, boolean allowInstall) {
        this.locator = locator;
        this.packages = packages;
        this.allowInstall = allowInstall;
    }

    /**
     * The directory holding {@code kind}'s files.
     *
     * @param dir the directory the user gave, or null to search (and perhaps install)
     * @throws DataNotFoundException saying where it looked and, if an install was tried or ruled out, why it failed
     */
    public DataLocator.Location locate(DatasetKind kind, Path dir, PrintWriter log) throws DataNotFoundException {
        try {
            return locator.locate(kind, dir);
        } catch (DataNotFoundException notFound) {
            String packageName = DebianDataPackage.packageName(kind);
            if (dir != null || packageName == null) {
                throw notFound;
            }
            if (!allowInstall) {
                throw new DataNotFoundException(notFound.getMessage() + "\n(Installing " + packageName
                        + " automatically was turned off.)");
            }
            String unavailable = packages.unavailableReason();
            if (unavailable != null) {
                throw new DataNotFoundException(notFound.getMessage() + "\n(Could not install " + packageName
                        + " automatically: " + unavailable + ".)");
            }
            log.println("gradquant: " + kind.cliName() + " data not found; installing the Debian package "
                    + packageName + " (apt-get install -y " + packageName + ", about 31 MB) ...");
            log.flush();
            try {
                packages.install(packageName, log);
            } catch (IOException e) {
                throw new DataNotFoundException(notFound.getMessage() + "\n(Installing " + packageName
                        + " automatically failed: " + e.getMessage() + ")");
            }
            DataLocator.Location found = locator.locate(kind, null);
            log.println("gradquant: installed " + packageName + "; using " + found.dir());
            log.flush();
            return found;
        }
    }
}
