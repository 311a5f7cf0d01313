package dev.hearth.runtime.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The {@code /etc} a sandboxed worker sees, prepared once on the host and bound as one directory, with the listed
 * directories of {@code /etc} ({@code ssl}, {@code alternatives}) bound onto it: five mounts instead of one per file.
 * Each bind mount is part of a worker's start (bench/README.md, "Worker sandbox": about a fifth of bubblewrap's wall
 * time went to the twenty-odd binds of single files).
 *
 * <p>The files are copies, refreshed before every start when the host's changed (size or modification time, links
 * followed): a worker started after {@code /etc/resolv.conf} or {@code /etc/hosts} changed sees the new one. A copy is
 * replaced by a rename, so running workers see the change too (a bind of the file itself would keep the old one).
 */
final class SandboxEtc {

    private final Path source;
    private final List<String> names;
    private final Path copy;

    private SandboxEtc(Path source, List<String> names, Path copy) {
        this.source = source;
        this.names = List.copyOf(names);
        this.copy = copy;
    }

    /** A copy of {@code names} of {@code source} in a new directory of the temporary directory, removed at exit. */
    static SandboxEtc create(Path source, List<String> names) throws IOException {
        Path copy = Files.createTempDirectory("hearth-sandbox-etc-");
        // searchable by all: a worker dropped to another user reads its /etc through it
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> deleteTree(copy)));
        SandboxEtc etc = new SandboxEtc(source, names, copy);
        etc.refresh();
        return etc;
    }

    Path directory() {
        return copy;
    }

    /** Refreshes the copy and adds the bwrap options that show it, and the directories, at {@code /etc}. */
    synchronized void addArgs(List<String> args) throws IOException {
        refresh();
        args.addAll(List.of("--ro-bind", copy.toString(), "/etc"));
        for (String name : names) {
            Path from = source.resolve(name);
            if (Files.isDirectory(from)) {
                args.addAll(List.of("--ro-bind", from.toString(), "/etc/" + name));
            }
        }
    }

    private void refresh() throws IOException {
        for (String name : names) {
            Path from = source.resolve(name);
            Path to = copy.resolve(name);
            if (Files.isDirectory(from)) {
                if (!Files.isDirectory(to)) {
                    Files.deleteIfExists(to);
                    Files.createDirectory(to); // where the directory is bound
                }
            } else if (Files.isRegularFile(from)) {
                if (Files.isDirectory(to)) {
                    deleteTree(to);
                }
                if (!same(from, to)) {
                    Path next = copy.resolve("." + name + ".next");
                    Files.copy(from, next, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    Files.move(next, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            } else if (Files.isDirectory(to)) {
                deleteTree(to);
            } else {
                Files.deleteIfExists(to); // gone from the host: gone from the workers' too
            }
        }
    }

    private static boolean same(Path from, Path to) throws IOException {
        if (!Files.isRegularFile(to)) {
            return false;
        }
        BasicFileAttributes a = Files.readAttributes(from, BasicFileAttributes.class);
        BasicFileAttributes b = Files.readAttributes(to, BasicFileAttributes.class);
        return a.size() == b.size() && a.lastModifiedTime().equals(b.lastModifiedTime());
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.delete(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // left behind: an empty directory or a copy of public /etc files in the temporary directory
        }
    }
}
