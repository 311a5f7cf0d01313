package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Files of Replicate's API, kept on disk, one directory each ({@code content} and {@code file.json}): those clients
 * upload ({@code POST /v1/files}) to pass as inputs, and those functions write as outputs (a handler that returns the
 * path of a file it wrote). Both are served through capability URLs and removed when they expire.
 */
final class ReplicateFiles {

    /** An upload's largest size; larger inputs go by URL. */
    static final long MAX_UPLOAD = 100L << 20;
    /** An output file larger than this stays a path in the output rather than being served. */
    static final long MAX_OUTPUT = 1L << 30;
    static final Duration UPLOAD_LIFETIME = Duration.ofDays(1);
    /** How long an output file is kept from when it is taken in (the first read of the prediction that names it). */
    static final Duration OUTPUT_LIFETIME = Duration.ofDays(1);
    private static final Pattern ID = Pattern.compile("[a-z0-9]{20,64}");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    /** One stored file, as {@code file.json} keeps it. */
    record StoredFile(String id, String name, String contentType, long size, String sha256, Instant createdAt,
                      Instant expiresAt, JsonNode metadata) {
    }

    private final Path dir;
    private final Path outputRoot;
    private final SecureRandom random = new SecureRandom();
    private final java.util.concurrent.ConcurrentHashMap<String, Object> taking =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param outputRoot where a function's output files may be taken from: the temporary directory its workers write
     *                   to (Python's tempfile)
     */
    ReplicateFiles(Path dir, Path outputRoot) {
        this.dir = dir;
        Path root;
        try {
            Files.createDirectories(dir);
            root = outputRoot.toRealPath();
        } catch (IOException e) {
            root = outputRoot.toAbsolutePath().normalize();
        }
        this.outputRoot = root;
    }

    StoredFile upload(Multipart.Part content, JsonNode metadata, Instant now) {
        String id = newId();
        String name = content.filename();
        String type = content.contentType();
        StoredFile f = new StoredFile(id, name == null || name.isBlank() ? "file" : name,
                type == null || type.isBlank() ? "application/octet-stream" : type, content.length(),
                sha256(content.body(), content.from(), content.length()), now, now.plus(UPLOAD_LIFETIME), metadata);
        Path target = dir.resolve(id);
        try {
            Files.createDirectories(target);
            try (var out = Files.newOutputStream(target.resolve("content"))) {
                out.write(content.body(), content.from(), content.length());
            }
            Json.MAPPER.writeValue(target.resolve("file.json").toFile(), record(f));
            return f;
        } catch (IOException e) {
            deleteTree(target);
            throw new HearthException.Unavailable("cannot store the file: " + e.getMessage());
        }
    }

    Optional<StoredFile> find(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path meta = dir.resolve(id).resolve("file.json");
        try {
            JsonNode n = Json.MAPPER.readTree(meta.toFile());
            return Optional.of(new StoredFile(n.path("id").asText(), n.path("name").asText(),
                    n.path("content_type").asText(), n.path("size").asLong(), n.path("sha256").asText(),
                    Instant.parse(n.path("created_at").asText()), Instant.parse(n.path("expires_at").asText()),
                    n.path("metadata")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    Path content(StoredFile f) {
        return dir.resolve(f.id()).resolve("content");
    }

    boolean delete(String id) {
        if (!ID.matcher(id).matches() || !Files.isDirectory(dir.resolve(id))) {
            return false;
        }
        deleteTree(dir.resolve(id));
        return true;
    }

    /**
     * The stored output file for a string a job's output holds, taking the file in (moved) the first time: only an
     * absolute path to a regular file under the output root, written since the job started, that the job's input
     * does not name (a function that echoes its input must not hand out files by the names a client sends).
     */
    Optional<StoredFile> output(String jobId, String input, Instant startedAt, String value, Instant expires) {
        if (value.length() > 4096 || !value.startsWith("/") || value.indexOf('\0') >= 0 || input.contains(value)
                || input.contains(value.replace("/", "\\/"))) {
            return Optional.empty();
        }
        String id = "o" + sha256((jobId + "\n" + value).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 39);
        Optional<StoredFile> taken = find(id);
        if (taken.isPresent() || startedAt == null) {
            return taken;
        }
        // one taker per file; a large copy to another file system holds up no other file's readers
        Object lock = taking.computeIfAbsent(id, k -> new Object());
        try {
            synchronized (lock) {
                return take(id, value, startedAt, expires);
            }
        } finally {
            taking.remove(id, lock);
        }
    }

    private Optional<StoredFile> take(String id, String value, Instant startedAt, Instant expires) {
        Optional<StoredFile> taken = find(id);
        if (taken.isPresent()) {
            return taken;
        }
        Path target = null;
        try {
            Path p = Path.of(value);
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > MAX_OUTPUT
                    || a.lastModifiedTime().toInstant().isBefore(startedAt.minusSeconds(1))
                    || !p.toRealPath().startsWith(outputRoot)) {
                return Optional.empty();
            }
            target = dir.resolve(id);
            Files.createDirectories(target);
            try {
                Files.move(p, target.resolve("content"), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) { // another file system
                Files.copy(p, target.resolve("content"), StandardCopyOption.REPLACE_EXISTING);
                Files.delete(p);
            }
            String name = p.getFileName().toString();
            String type = Optional.ofNullable(Files.probeContentType(target.resolve("content")))
                    .or(() -> Optional.ofNullable(java.net.URLConnection.guessContentTypeFromName(name)))
                    .orElse("application/octet-stream");
            StoredFile f = new StoredFile(id, name, type, a.size(), sha256(target.resolve("content")), startedAt,
                    expires, Json.MAPPER.createObjectNode());
            Json.MAPPER.writeValue(target.resolve("file.json").toFile(), record(f));
            return Optional.of(f);
        } catch (IOException | RuntimeException e) {
            if (target != null) {
                deleteTree(target); // half taken: nothing that find() would show, nor expiry remove
            }
            return Optional.empty();
        }
    }

    /** Removes files past their expiry; returns how many. */
    int removeExpired(Instant now) {
        int n = 0;
        try (Stream<Path> all = Files.list(dir)) {
            for (Path d : all.toList()) {
                Optional<StoredFile> f = find(d.getFileName().toString());
                if (f.isPresent() && f.get().expiresAt().isBefore(now)) {
                    deleteTree(d);
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return n;
    }

    private static ObjectNode record(StoredFile f) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", f.id());
        n.put("name", f.name());
        n.put("content_type", f.contentType());
        n.put("size", f.size());
        n.put("sha256", f.sha256());
        n.put("created_at", f.createdAt().toString());
        n.put("expires_at", f.expiresAt().toString());
        n.set("metadata", f.metadata());
        return n;
    }

    /** The file object Replicate's {@code /v1/files} answers with. */
    static ObjectNode view(StoredFile f, String getUrl) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", f.id());
        n.put("name", f.name());
        n.put("content_type", f.contentType());
        n.put("size", f.size());
        n.put("etag", f.sha256());
        n.putObject("checksums").put("sha256", f.sha256());
        n.set("metadata", f.metadata() == null ? Json.MAPPER.createObjectNode() : f.metadata());
        n.put("created_at", f.createdAt().toString());
        n.put("expires_at", f.expiresAt().toString());
        n.putObject("urls").put("get", getUrl);
        return n;
    }

    private String newId() {
        StringBuilder b = new StringBuilder(26);
        for (int i = 0; i < 26; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static String sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    private static String sha256(byte[] data, int from, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, from, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            // what is left is removed at the next expiry pass
        }
    }
}
