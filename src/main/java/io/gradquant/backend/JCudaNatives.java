package io.gradquant.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Puts JCuda's native libraries where JCuda will look for them, safely, before any JCuda class is
 * touched. JCuda's own loader writes {@code <java.io.tmpdir>/libJCudaDriver-12.6.0-linux-x86_64.so}
 * from its jar with a plain stream when the file is missing, and loads whatever file is there:
 * several JVMs starting at once load each other's half-written files and die of SIGBUS. Here the
 * file is written to a temporary file in the same directory and moved into place atomically, and
 * an existing file is kept only if its size and SHA-256 match the jar's. JCuda then finds a
 * complete file and loads it. This class must not refer to any {@code jcuda} class.
 */
final class JCudaNatives {
    /** The JCuda version on the class path (pom.xml); part of the native libraries' names. */
    static final String VERSION = "12.6.0";
    /** JCuda's platform suffix; the only natives gradquant ships. */
    static final String PLATFORM = "linux-x86_64";
    /** The driver API bindings (needs libcuda.so.1). */
    static final String DRIVER = "JCudaDriver";

    private JCudaNatives() {
    }

    /** The file name JCuda gives library {@code name}, e.g. libJCudaDriver-12.6.0-linux-x86_64.so. */
    static String fileName(String name) {
        return "lib" + name + "-" + VERSION + "-" + PLATFORM + ".so";
    }

    /** Whether this platform has JCuda natives in gradquant's build; null if so, else why not. */
    static String platformProblem() {
        String os = System.getProperty("os.name", "") + "/" + System.getProperty("os.arch", "");
        return os.equals("Linux/amd64") ? null : "the cuda backend is built for Linux/amd64 only, this is " + os;
    }

    /**
     * Makes sure {@code <java.io.tmpdir>/fileName(name)} holds exactly the library in the JCuda
     * natives jar, and returns its path.
     *
     * @throws IOException if the natives jar is not on the class path or the file cannot be written
     */
    static Path preseed(String name) throws IOException {
        String file = fileName(name);
        byte[] content;
        // JCuda's loader reads /lib/<file> from its natives jar; so do we
        try (InputStream in = JCudaNatives.class.getResourceAsStream("/lib/" + file)) {
            if (in == null) {
                throw new IOException(file + " is not on the class path (the jcuda natives jar for " + PLATFORM
                        + " is missing)");
            }
            content = in.readAllBytes();
        }
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"));
        Path target = dir.resolve(file);
        if (matches(target, content)) {
            return target;
        }
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + file + "-", ".partial");
        try {
            Files.write(temp, content);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                // other users' JVMs load the same path; createTempFile made it owner-only
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move " + temp + " atomically to " + target, e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        if (!matches(target, content)) { // another user's file we may not replace, say
            throw new IOException(target + " differs from JCuda's " + file + " and cannot be replaced");
        }
        return target;
    }

    private static boolean matches(Path file, byte[] content) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != content.length) {
            return false;
        }
        return Arrays.equals(sha256(Files.readAllBytes(file)), sha256(content));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
