package dev.hearth.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs a function's directory into the zip that {@code POST /v1/functions} takes. The zip is deterministic (sorted
 * entries, fixed timestamps) so that deploying unchanged code yields the same bundle hash.
 */
final class Bundle {

    static final String MANIFEST = "hearth.yaml";
    static final String COG = "cog.yaml";
    /** Build output, caches and VCS data: large, machine-specific, and never needed by a worker. */
    static final Set<String> SKIPPED_DIRS = Set.of(".git", "__pycache__", ".hearth", "target", "node_modules");
    private static final FileTime EPOCH = FileTime.fromMillis(315_532_800_000L); // 1980-01-01, zip's earliest time

    private Bundle() {
    }

    /**
     * The function name a Cog model's deploy asks for, its directory's (the server uses it when no {@code hearth.yaml}
     * beside {@code cog.yaml} names the function); null for a {@code hearth.yaml}.
     */
    static String cogName(Path manifest) {
        Path file = manifest.toAbsolutePath().normalize();
        if (!file.getFileName().toString().equals(COG)) {
            return null;
        }
        // as the server's CogManifest.functionName: lower case, other characters as '-'
        String name = file.getParent().getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        name = name.length() > 63 ? name.substring(0, 63).replaceAll("-+$", "") : name;
        return name.isEmpty() ? null : name;
    }

    static byte[] zip(Path manifest) {
        Path file = manifest.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new HearthClientException("no manifest at " + manifest);
        }
        Path dir = file.getParent();
        // a Cog model's directory goes as it is: cog.yaml, and any hearth.yaml beside it that overrides it
        boolean cog = file.getFileName().toString().equals(COG);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                if (!cog) {
                    put(zip, MANIFEST, Files.readAllBytes(file));
                }
                for (Path p : files(dir)) {
                    String name = dir.relativize(p).toString().replace('\\', '/');
                    // The given manifest is already the root hearth.yaml; another one there would contradict it.
                    if (!cog && (p.equals(file) || name.equals(MANIFEST))) {
                        continue;
                    }
                    put(zip, name, Files.readAllBytes(p));
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    // Symlinked directories are not followed: they can loop or pull in half the disk.
                    if (!SKIPPED_DIRS.contains(p.getFileName().toString()) && !Files.isSymbolicLink(p)) {
                        files.addAll(files(p));
                    }
                } else if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        return files;
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setLastModifiedTime(EPOCH);
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
