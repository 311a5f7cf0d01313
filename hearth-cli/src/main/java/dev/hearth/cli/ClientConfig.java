package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code <data-dir>/client.json}: where the server started by {@code hearth up} listens, and its API key, so that
 * client commands run in the same directory need no flags. It holds a secret, hence owner-only permissions.
 *
 * @param url    the server's URL, or null
 * @param apiKey the key, or null when this file does not know it
 */
record ClientConfig(URI url, String apiKey) {

    static final String FILE_NAME = "client.json";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** The file's contents, or an empty config when there is no file. */
    static ClientConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            return new ClientConfig(null, null);
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            String url = text(n, "url");
            return new ClientConfig(url == null ? null : URI.create(url), text(n, "apiKey"));
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.usage(file + " is not readable client configuration (" + e.getMessage()
                    + "); delete it and start the server again");
        }
    }

    /**
     * Records a server start. The key is written only when it is known ({@code apiKey} non-null); otherwise a key
     * written earlier is kept and only the URL changes, because the server stores keys hashed and cannot give it back.
     */
    static void recordStart(Path dataDir, URI url, String apiKey) {
        Path file = file(dataDir);
        ObjectNode n = JSON.createObjectNode();
        if (apiKey == null && Files.isRegularFile(file)) {
            try {
                JsonNode old = JSON.readTree(file.toFile());
                if (old instanceof ObjectNode o) {
                    n = o;
                }
            } catch (IOException unreadable) {
                // Replaced below by a file without a key; the user is told where keys come from when one is missing.
            }
        }
        n.put("url", url.toString());
        if (apiKey != null) {
            n.put("apiKey", apiKey);
        }
        write(file, n);
    }

    /** Writes via a temporary file created owner-only, so the key is never readable by others, not even briefly. */
    private static void write(Path file, ObjectNode content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
            Files.deleteIfExists(tmp);
            boolean posix = Files.getFileStore(file.getParent()).supportsFileAttributeView("posix");
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            try {
                Files.createFile(tmp, attrs);
            } catch (FileAlreadyExistsException raced) {
                throw new IOException("another process is writing " + file, raced);
            }
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (posix) {
                Files.setPosixFilePermissions(file, OWNER_ONLY); // exactly 600, whatever the umask made of it
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText().strip();
    }
}
