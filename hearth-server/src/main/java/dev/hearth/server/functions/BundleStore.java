package dev.hearth.server.functions;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.BundleBlobStore;
import dev.hearth.functions.ManifestException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Code bundles, stored by the SHA-256 of their zip and unpacked once into {@code bundles/<sha>/}: deploying the same
 * code twice costs nothing, and a version's code never changes under a running worker.
 *
 * <p>On a store that several control-plane nodes share, each zip is also kept in the store, and a node that lacks a
 * bundle's directory unpacks it from there the first time it is asked for it.
 */
public final class BundleStore {

    private final Path root;
    private final BundleLimits limits;
    private final BundleBlobStore shared;

    /** Bundles kept only in {@code root}. */
    public BundleStore(Path root, BundleLimits limits) {
        this(root, limits, null);
    }

    /** @param shared where every node finds the zips too; null for none */
    public BundleStore(Path root, BundleLimits limits, BundleBlobStore shared) {
        this.root = root;
        this.limits = limits;
        this.shared = shared;
    }

    /**
     * An unpacked bundle.
     *
     * @param manifestYaml its {@code hearth.yaml}, or null when it has only a {@code cog.yaml}
     * @param cogYaml      its {@code cog.yaml} (a Cog model directory), or null
     */
    public record Bundle(String sha256, Path dir, String manifestYaml, String cogYaml) {
    }

    public Bundle store(byte[] zip) {
        String sha = sha256(zip);
        Path dir = root.resolve(sha);
        try {
            unpack(sha, zip, dir, d -> { });
            Path manifest = dir.resolve("hearth.yaml");
            Path cog = dir.resolve("cog.yaml");
            if (!Files.isRegularFile(manifest) && !Files.isRegularFile(cog)) {
                throw new ManifestException("the uploaded bundle has no hearth.yaml (or cog.yaml, for a Cog model) at "
                        + "its root");
            }
            Bundle bundle = new Bundle(sha, dir, text(manifest), text(cog));
            if (shared != null) {
                shared.save(sha, zip); // before the version that names it is saved: other nodes find it
            }
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store bundle " + sha, e);
        }
    }

    private static String text(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ManifestException(file.getFileName() + " is not UTF-8 text (" + e.getMessage() + "); save it as "
                    + "UTF-8");
        }
    }

    /** The bundle's directory; unpacked first from the shared store if this node has not got it yet. */
    public Path dir(String sha256) {
        return dir(sha256, d -> { });
    }

    /**
     * The same; {@code prepare} readies a directory unpacked from the shared store before it is used, as a deploy
     * readies the one it unpacks (volume mounts).
     */
    public Path dir(String sha256, java.util.function.Consumer<Path> prepare) {
        Path dir = root.resolve(sha256);
        if (shared != null && !Files.isDirectory(dir)) {
            shared.find(sha256).ifPresent(zip -> {
                try {
                    unpack(sha256, zip, dir, prepare);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot unpack bundle " + sha256 + " from the store", e);
                }
            });
        }
        return dir;
    }

    /**
     * The zip of every bundle unpacked here, made again from its directory (links, such as volume mounts, left out),
     * for a store that keeps bundles itself; one at a time.
     */
    public void forEachZipped(BundleConsumer consumer) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (var dirs = Files.list(root)) {
            for (Path dir : dirs.filter(d -> Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !d.getFileName().toString().startsWith(".")).sorted().toList()) {
                consumer.accept(dir.getFileName().toString(), zip(dir));
            }
        }
    }

    /** Receives the bundles of {@link #forEachZipped}. */
    @FunctionalInterface
    public interface BundleConsumer {
        void accept(String sha256, byte[] zip) throws IOException;
    }

    private void unpack(String sha, byte[] zip, Path dir, java.util.function.Consumer<Path> prepare)
            throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path tmp = Files.createTempDirectory(Files.createDirectories(root), ".unpack-");
        // a temporary directory is its owner's only; sandboxed workers run as a user of their own
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            unzip(zip, tmp, limits);
            prepare.accept(tmp); // a sibling of the final directory: relative links made here hold there
        } catch (RuntimeException | IOException e) {
            deleteTree(tmp);
            throw e;
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileSystemException e) {
            // the same code deployed (or unpacked) at the same time: the other one unpacked it first ("directory not
            // empty" from rename(2) is not a FileAlreadyExistsException)
            if (!Files.isDirectory(dir)) {
                throw e;
            }
            deleteTree(tmp);
        }
    }

    private static byte[] zip(Path dir) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes);
             var files = Files.walk(dir)) {
            for (Path file : files.sorted().toList()) {
                if (file.equals(dir) || Files.isSymbolicLink(file)) {
                    continue;
                }
                String name = dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.putNextEntry(new ZipEntry(name + "/"));
                } else if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.putNextEntry(new ZipEntry(name));
                    Files.copy(file, out);
                }
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Unpacks {@code zip} into {@code into}, checking each entry before it is written and counting bytes as they are
     * written, so nothing past {@code limits} reaches the disk whatever sizes the zip declares.
     */
    static void unzip(byte[] zip, Path into, BundleLimits limits) throws IOException {
        long total = 0;
        int entries = 0;
        Set<String> names = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new HearthException.PayloadTooLarge("the bundle has more than " + limits.maxEntries()
                            + " entries, the limit; leave virtualenvs and data out of it");
                }
                Path target = target(into, e.getName());
                if (!names.add(into.relativize(target).toString())) {
                    throw new HearthException.BadRequest("the bundle has the entry '" + printable(e.getName())
                            + "' twice; zip the function's directory again");
                }
                try {
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    total += copy(in, target, limits.maxBytes() - total, limits);
                } catch (FileSystemException conflict) {
                    throw new HearthException.BadRequest("the bundle's entry '" + printable(e.getName())
                            + "' cannot be unpacked (" + conflict.getReason() + "); a file and a directory may not "
                            + "share a name");
                }
            }
        } catch (ZipException | IllegalArgumentException e) {
            // ZipInputStream reports an entry name that is not valid UTF-8 as an IllegalArgumentException.
            throw new HearthException.BadRequest("the upload is not a valid zip file: " + e.getMessage());
        }
        if (entries == 0) {
            throw new ManifestException("the upload is not a zip file with hearth.yaml at its root");
        }
    }

    private static Path target(Path into, String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new HearthException.BadRequest("the bundle has an entry with an empty name or a NUL character in "
                    + "its name ('" + printable(name) + "')");
        }
        Path target;
        try {
            target = into.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new HearthException.BadRequest("the bundle has an entry whose name is not a valid path: '"
                    + printable(name) + "'");
        }
        if (!target.startsWith(into) || target.equals(into) || name.startsWith("/")) {
            throw new HearthException.BadRequest("the bundle has an entry outside its directory: '" + printable(name)
                    + "'");
        }
        return target;
    }

    /** Copies at most {@code room} bytes; one more is a 413, and what was written so far stays within the cap. */
    private static long copy(InputStream in, Path target, long room, BundleLimits limits) throws IOException {
        long written = 0;
        byte[] buf = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (n > room - written) {
                    throw new HearthException.PayloadTooLarge("the bundle unpacks to more than "
                            + mebibytes(limits.maxBytes()) + ", the limit; keep model weights and data out of it (load "
                            + "them from a volume or URL)");
                }
                out.write(buf, 0, n);
                written += n;
            }
        }
        return written;
    }

    private static String mebibytes(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** An entry name fit for an error message: control characters shown as escapes, and not too long. */
    private static String printable(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().limit(200).forEach(c -> b.append(Character.isISOControl(c)
                ? String.format("\\u%04x", c) : Character.toString(c)));
        return name.length() > 200 ? b + "..." : b.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
