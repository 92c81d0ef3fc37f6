package io.gradquant.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: gradquant's version, from the pom.properties that Maven packs into the jar
 * (absent when running from target/classes, as in tests), then the Java runtime and platform.
 */
final class VersionProvider implements IVersionProvider {
    private static final String POM_PROPERTIES = "/META-INF/maven/io.gradquant/gradquant/pom.properties";

    @Override
    public String[] getVersion() {
        return new String[] {
            "gradquant " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
            System.getProperty("os.name") + " " + System.getProperty("os.arch"),
        };
    }

    /** The project version, or a note saying it is unknown outside the packaged jar. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "(version unknown)");
            }
        } catch (IOException e) {
            // fall through: a version string is not worth failing for
        }
        return "(version unknown: not running from the packaged jar)";
    }
}
