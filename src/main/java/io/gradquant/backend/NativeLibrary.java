package io.gradquant.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Extracts a native library packed as a class-path resource and loads it. The file goes to
 * {@code <tmpdir>/gradquant-<user>/<sha256>/<name>}: written to a temporary file in that directory
 * and moved into place atomically, so concurrent JVMs never load a half-written file; an existing
 * file is reused only if its content hash matches the resource.
 */
public final class NativeLibrary {
    private NativeLibrary() {
    }

    /**
     * Extracts (if needed) and returns the path of resource {@code resource}.
     *
     * @throws IOException if the resource is missing or cannot be written
     */
    public static Path extract(String resource) throws IOException {
        byte[] content;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is not in the jar (was the native build skipped?)");
            }
            content = in.readAllBytes();
        }
        String hash = sha256(content);
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"),
                "gradquant-" + System.getProperty("user.name", "user"), hash.substring(0, 16));
        Path target = dir.resolve(Paths.get(resource).getFileName().toString());
        if (Files.isRegularFile(target) && Files.size(target) == content.length
                && sha256(Files.readAllBytes(target)).equals(hash)) {
            return target;
        }
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "partial-", ".tmp");
        try {
            Files.write(temp, content);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot move " + temp + " atomically into place", e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
