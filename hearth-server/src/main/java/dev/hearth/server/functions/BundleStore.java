package dev.hearth.server.functions;

import dev.hearth.functions.ManifestException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Code bundles, stored by the SHA-256 of their zip and unpacked once into {@code bundles/<sha>/}: deploying the same
 * code twice costs nothing, and a version's code never changes under a running worker.
 */
public final class BundleStore {

    private static final long MAX_UNPACKED = 2L << 30;
    private final Path root;

    public BundleStore(Path root) {
        this.root = root;
    }

    public record Bundle(String sha256, Path dir, String manifestYaml) {
    }

    public Bundle store(byte[] zip) {
        String sha = sha256(zip);
        Path dir = dir(sha);
        try {
            if (!Files.isDirectory(dir)) {
                Path tmp = Files.createTempDirectory(Files.createDirectories(root), ".unpack-");
                try {
                    unzip(zip, tmp);
                } catch (RuntimeException | IOException e) {
                    deleteTree(tmp);
                    throw e;
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileSystemException e) {
                    // the same code deployed at the same time: the other deploy unpacked it first ("directory not
                    // empty" from rename(2) is not a FileAlreadyExistsException)
                    if (!Files.isDirectory(dir)) {
                        throw e;
                    }
                    deleteTree(tmp);
                }
            }
            Path manifest = dir.resolve("hearth.yaml");
            if (!Files.isRegularFile(manifest)) {
                throw new ManifestException("the uploaded bundle has no hearth.yaml at its root");
            }
            return new Bundle(sha, dir, Files.readString(manifest, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store bundle " + sha, e);
        }
    }

    public Path dir(String sha256) {
        return root.resolve(sha256);
    }

    private static void unzip(byte[] zip, Path into) throws IOException {
        long total = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries++;
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into) || e.getName().startsWith("/")) {
                    throw new ManifestException("the bundle has an entry outside its directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                total += Files.copy(in, target);
                if (total > MAX_UNPACKED) {
                    throw new ManifestException("the bundle unpacks to more than 2 GiB; keep model weights out of it");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new ManifestException("the upload is not a valid zip file: " + e.getMessage());
        }
        if (entries == 0) {
            throw new ManifestException("the upload is not a zip file with hearth.yaml at its root");
        }
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
