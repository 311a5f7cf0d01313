package dev.hearth.server.volumes;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.ByteSize;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.ManifestException;
import dev.hearth.runtime.WorkerMount;
import dev.hearth.volumes.VolumePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Volumes: named directories under {@code <data-dir>/volumes/<name>/} that outlive workers, versions and restarts,
 * for model weights and caches. Modal's volumes, on one machine: files are put and got by path, and a function's
 * workers see the volumes its manifest names, read-write.
 *
 * <p>Every path from a request is checked by {@link VolumePaths} and, since a worker may have left a symbolic link in
 * a volume, resolved to its real location before it is read or written: nothing outside the volume is reachable.
 * Uploads are written to a temporary file and moved into place when complete, so a reader never sees half a file.
 */
public final class Volumes {

    private final Path root;
    private final Path uploads;
    private final long maxUpload;

    /** A volume and how much it holds. */
    public record Summary(String name, long files, long bytes) {
    }

    /** A file in a volume, its path relative to the volume. */
    public record FileEntry(String path, long size, Instant modifiedAt) {
    }

    /** A file opened for reading, and its size when opened. */
    public record Download(InputStream in, long size) {
    }

    /**
     * @param root      where volumes live, {@code <data-dir>/volumes}
     * @param maxUpload the most bytes one uploaded file may have
     */
    public Volumes(Path root, long maxUpload) {
        this.root = root.toAbsolutePath().normalize();
        // a name no volume can have (names start with a letter or digit), on the same file system for atomic moves
        this.uploads = this.root.resolve(".uploads");
        this.maxUpload = maxUpload;
        try {
            Files.createDirectories(uploads);
            try (Stream<Path> left = Files.list(uploads)) {
                for (Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the volumes dir " + root, e);
        }
    }

    public Summary create(String name) {
        Path dir = root.resolve(VolumePaths.name(name));
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new HearthException.Conflict("volume '" + name + "' already exists");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create volume " + name, e);
        }
        return new Summary(name, 0, 0);
    }

    public List<Summary> list() {
        return names().stream().map(this::summary).toList();
    }

    private List<String> names() {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).filter(VolumePaths::isName).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    public Summary summary(String name) {
        List<FileEntry> files = files(name, null);
        return new Summary(name, files.size(), files.stream().mapToLong(FileEntry::size).sum());
    }

    public boolean exists(String name) {
        return VolumePaths.isName(name) && Files.isDirectory(root.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    /** The volume's directory, or a 404 that says how to create it. */
    public Path dir(String name) {
        if (!exists(VolumePaths.name(name))) {
            List<String> names = names();
            throw new HearthException.NotFound("volume '" + name + "' does not exist; create it with `hearth volume "
                    + "create " + name + "`" + (names.isEmpty() ? "" : " (volumes: " + String.join(", ", names) + ")"));
        }
        return root.resolve(name);
    }

    /** Deletes the volume and everything in it. */
    public void delete(String name) {
        deleteTree(dir(name));
    }

    /** The regular files under {@code prefix} (null: all), by path; links are listed as what they are, not followed. */
    public List<FileEntry> files(String name, String prefix) {
        Path dir = dir(name);
        boolean all = prefix == null || prefix.isBlank() || prefix.equals("/");
        Path from = all ? dir : inside(dir, prefix);
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<FileEntry> out = new ArrayList<>();
        try {
            Path real = dir.toRealPath();
            try (Stream<Path> files = Files.walk(all ? real : checkInside(dir, from.toRealPath(), prefix))) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    entry(real, p).ifPresent(out::add);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot list volume " + name, e instanceof IOException io ? io
                    : ((UncheckedIOException) e).getCause());
        }
        out.sort(Comparator.comparing(FileEntry::path));
        return out;
    }

    /** A regular file as listed; empty for anything else, or for a file removed while the volume was listed. */
    private static java.util.Optional<FileEntry> entry(Path dir, Path p) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? java.util.Optional.of(new FileEntry(dir.relativize(p).toString(), a.size(),
                    a.lastModifiedTime().toInstant())) : java.util.Optional.empty();
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Writes a file from {@code in}, replacing one at that path, creating the directories above it. More than the
     * upload limit is a 413, before anything is read when {@code length} (-1: not known) says so; a partial file is
     * dropped.
     *
     * @return the file as written
     */
    public FileEntry write(String name, String path, long length, InputStream in) {
        Path dir = dir(name);
        String file = VolumePaths.file(path);
        if (length > maxUpload) {
            throw tooLarge(file);
        }
        Path target = dir.resolve(file);
        Path tmp = null;
        try {
            Path parent = target.getParent();
            // where the directories to create start must be inside the volume once links are followed
            Path existing = parent;
            while (!Files.exists(existing)) {
                existing = existing.getParent();
            }
            checkInside(dir, existing.toRealPath(), path);
            if (!Files.isDirectory(existing)) {
                throw new HearthException.Conflict("cannot write '" + file + "' in volume '" + name + "': '"
                        + dir.relativize(existing) + "' is a file, not a directory");
            }
            Files.createDirectories(parent);
            for (Path made = parent; !made.equals(existing); made = made.getParent()) {
                sameOwner(dir, made);
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new HearthException.Conflict("'" + file + "' is a directory in volume '" + name + "'; "
                        + "upload into it as '" + file + "/NAME'");
            }
            tmp = Files.createTempFile(uploads, name + "-", ".part");
            long size;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                size = copyAtMost(in, out, file);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            sameOwner(dir, tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return new FileEntry(file, size, Files.getLastModifiedTime(target).toInstant());
        } catch (IOException e) {
            throw new HearthException.BadRequest("could not store '" + file + "' in volume '" + name + "': "
                    + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the next start clears what is left
                }
            }
        }
    }

    /**
     * Gives what an upload made the owner of the volume: sandboxed workers run as a user of their own and own their
     * volumes (see dev.hearth.runtime.local.Bubblewrap), and must be able to change what was uploaded too.
     */
    private static void sameOwner(Path volume, Path made) throws IOException {
        Object uid = Files.getAttribute(volume, "unix:uid");
        if (!uid.equals(Files.getAttribute(made, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
            Files.setAttribute(made, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(made, "unix:gid", Files.getAttribute(volume, "unix:gid"), LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Opens a regular file for reading, or a 404 naming it (a 400 for a directory). */
    public Download read(String name, String path) {
        Path dir = dir(name);
        Path file = inside(dir, path);
        try {
            Path real = file.toRealPath();
            checkInside(dir, real, path);
            if (Files.isDirectory(real)) {
                throw new HearthException.BadRequest("'" + VolumePaths.file(path) + "' is a directory in volume '"
                        + name + "'; list it with GET /v1/volumes/" + name + "/files?prefix=" + VolumePaths.file(path));
            }
            InputStream in = Files.newInputStream(real);
            return new Download(in, Files.size(real));
        } catch (NoSuchFileException e) {
            throw noFile(name, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " in volume " + name, e);
        }
    }

    /** Removes a file, or a directory with everything in it; a link is removed, not what it points to. */
    public void remove(String name, String path) {
        Path dir = dir(name);
        Path target = inside(dir, path);
        try {
            checkInside(dir, target.getParent().toRealPath(), path);
        } catch (NoSuchFileException e) {
            throw noFile(name, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw noFile(name, path);
        }
        deleteTree(target);
    }

    /** {@code HEARTH_VOLUME_<NAME>}: each of the manifest's volumes, where it really is. */
    public Map<String, String> environment(FunctionManifest m) {
        Map<String, String> env = new LinkedHashMap<>();
        m.volumes().keySet().forEach(v -> env.put(VolumePaths.environmentVariable(v), root.resolve(v).toString()));
        return env;
    }

    /**
     * What of the volumes a worker of the function must see: each volume read-write, where the link in the bundle
     * leads (the volume itself), or at the absolute path the manifest gives.
     */
    public List<WorkerMount> workerMounts(FunctionManifest m) {
        return m.volumes().entrySet().stream().map(v -> {
            Path volume = root.resolve(v.getKey());
            return new WorkerMount(volume, v.getValue().startsWith("/") ? Path.of(v.getValue()).normalize() : volume,
                    true);
        }).toList();
    }

    /**
     * Makes a version's volumes visible to its workers, at deploy time: each volume must exist, and each relative
     * path becomes a link in the unpacked bundle to the volume. The bundle directory is shared by every version with
     * the same code (and so the same manifest), so the links are made once and are the same for all of them.
     *
     * @param absoluteMounts whether the runtime can show a volume at an absolute path
     */
    public void mount(FunctionManifest m, Path bundleDir, boolean absoluteMounts) {
        for (Map.Entry<String, String> v : m.volumes().entrySet()) {
            String name = v.getKey();
            String at = v.getValue();
            if (!exists(name)) {
                throw new ManifestException("'volumes." + name + "': volume '" + name + "' does not exist; create it "
                        + "first with `hearth volume create " + name + "`");
            }
            if (at.startsWith("/")) {
                if (!absoluteMounts) {
                    throw new ManifestException("'volumes." + name + "': cannot show volume '" + name + "' at " + at
                            + ": workers here run unsandboxed (--unsafe-no-sandbox), without a mount namespace, so no absolute path "
                            + "can be given to them; use a path relative to the function's directory (such as "
                            + at.substring(at.lastIndexOf('/') + 1) + ") or read the volume's path from $"
                            + VolumePaths.environmentVariable(name));
                }
                continue;
            }
            link(bundleDir.toAbsolutePath().normalize().resolve(at), root.resolve(name), name, at);
        }
    }

    /** A relative link, {@code ../../volumes/weights}: it still holds when the data dir is moved. */
    private static void link(Path link, Path volume, String name, String at) {
        Path target = link.getParent().relativize(volume);
        try {
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
                return;
            }
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(link.getParent())) {
                throw new ManifestException("'volumes." + name + "': the deployed directory already has " + at
                        + "; pick another path for the volume or leave " + at + " out of the directory");
            }
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, target);
        } catch (FileAlreadyExistsException e) {
            throw new ManifestException("'volumes." + name + "': the deployed directory already has " + at);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link volume " + name + " at " + link, e);
        }
    }

    private static Path inside(Path dir, String path) {
        return dir.resolve(VolumePaths.file(path));
    }

    private static HearthException noFile(String name, String path) {
        return new HearthException.NotFound("volume '" + name + "' has no file '" + VolumePaths.file(path) + "'");
    }

    /** {@code real}, or a 400 naming the path when it is outside the volume (a link a worker left, say). */
    private static Path checkInside(Path dir, Path real, String path) throws IOException {
        if (!real.startsWith(dir.toRealPath())) {
            throw new HearthException.BadRequest("path '" + path + "' leads outside the volume");
        }
        return real;
    }

    private long copyAtMost(InputStream in, OutputStream out, String file) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > maxUpload) {
                throw tooLarge(file);
            }
            out.write(buf, 0, n);
        }
        return total;
    }

    private HearthException tooLarge(String file) {
        return new HearthException.PayloadTooLarge("'" + file + "' is larger than " + ByteSize.format(maxUpload)
                + ", the most one upload may have here (hearth serve --volume-max-upload)");
    }

    private static void deleteTree(Path top) {
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (DirectoryNotEmptyException e) {
            throw new HearthException.Conflict("'" + top.getFileName() + "' changed while it was removed; try again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + top, e);
        }
    }
}
