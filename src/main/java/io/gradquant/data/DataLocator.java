package io.gradquant.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a data set's directory. An explicitly given directory is the only place looked at (a typo
 * should not silently train on other data); otherwise, in order: {@code $GRADQUANT_DATA}, then the
 * directories where a system package installs the data set ({@link DatasetKind#systemDirectories()}).
 * Each place is tried as is and with the data set's usual sub-directories. When nothing holds the
 * files, the error lists every place and what it lacked, and how to get the data.
 */
public final class DataLocator {
    /** Environment variable naming a data root. */
    public static final String ENV = "GRADQUANT_DATA";

    private final String envValue;
    private final boolean useSystemDirectories;

    /**
     * @param envValue             the value of {@code $GRADQUANT_DATA}, or null when unset
     * @param useSystemDirectories whether to look where system packages install data sets
     */
    public DataLocator(String envValue, boolean useSystemDirectories) {
        this.envValue = envValue;
        this.useSystemDirectories = useSystemDirectories;
    }

    /** A locator reading this process's {@code $GRADQUANT_DATA} and looking in system directories. */
    public static DataLocator fromEnvironment() {
        return new DataLocator(System.getenv(ENV), true);
    }

    /**
     * A directory holding the data set's files.
     *
     * @param dir the directory the user gave, or null to search
     * @return the directory and where it came from
     * @throws DataNotFoundException listing every place looked at and how to get the data
     */
    public Location locate(DatasetKind kind, Path dir) throws DataNotFoundException {
        List<String> looked = new ArrayList<>();
        List<Place> places = new ArrayList<>();
        if (dir != null) {
            places.add(new Place(dir, "the given directory"));
        } else {
            if (envValue == null || envValue.isBlank()) {
                looked.add("$" + ENV + ": not set");
            } else {
                places.add(new Place(Path.of(envValue), "$" + ENV));
            }
            if (useSystemDirectories) {
                for (Path system : kind.systemDirectories()) {
                    places.add(new Place(system, "system package location"));
                }
            }
        }
        for (Place place : places) {
            if (!Files.isDirectory(place.dir())) {
                looked.add(place.source() + " " + place.dir() + ": no such directory");
                continue;
            }
            List<Path> candidates = new ArrayList<>();
            candidates.add(place.dir());
            for (String sub : kind.subdirectories()) {
                if (Files.isDirectory(place.dir().resolve(sub))) {
                    candidates.add(place.dir().resolve(sub));
                }
            }
            for (Path candidate : candidates) {
                List<String> missing = kind.missingIn(candidate);
                if (missing.isEmpty()) {
                    return new Location(candidate, place.source());
                }
                looked.add(place.source() + " " + candidate + ": missing " + String.join(", ", missing));
            }
        }
        StringBuilder message = new StringBuilder(kind.cliName() + " data not found. Looked in:");
        looked.forEach(line -> message.append("\n  ").append(line));
        message.append("\nTo get it: ").append(kind.howToGet())
                .append(". Then pass the directory explicitly or set ").append(ENV).append(" to it.");
        throw new DataNotFoundException(message.toString());
    }

    /**
     * A directory holding a data set.
     *
     * @param dir    the directory
     * @param source where it was found: "the given directory", "$GRADQUANT_DATA" or "system package location"
     */
    public record Location(Path dir, String source) {
    }

    private record Place(Path dir, String source) {
    }
}
