package dev.hearth.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A host directory a worker needs besides its code bundle: its Python environment and the worker library (read-only),
 * its volumes (writable). A sandboxing runtime shows the worker these and nothing else of the data dir; a runtime
 * without one runs workers on the host's file system, where they are there anyway.
 *
 * @param source   the directory on the host
 * @param target   where the worker sees it; the same as {@code source} unless a manifest asks for another place
 * @param writable whether the worker may change what is in it
 */
public record WorkerMount(Path source, Path target, boolean writable) {

    public WorkerMount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        if (!source.isAbsolute() || !target.isAbsolute()) {
            throw new IllegalArgumentException("mount paths must be absolute, got " + source + " -> " + target);
        }
    }

    /**
     * The installation a program belongs to, which must be shown with it: {@code <prefix>} of
     * {@code <prefix>/bin/python3}, or of a version manager's {@code <root>/shims/python3} (pyenv's shims run
     * {@code <root>/libexec/pyenv}); else the program's directory.
     */
    public static Path installation(Path program) {
        Path dir = program.toAbsolutePath().normalize().getParent();
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        return (name.equals("bin") || name.equals("shims")) && dir.getParent() != null
                && dir.getParent().getParent() != null ? dir.getParent() : dir;
    }

    /** Shown read-only where it is. */
    public static WorkerMount readOnly(Path dir) {
        return new WorkerMount(dir, dir, false);
    }

    /** Shown read-write where it is. */
    public static WorkerMount writable(Path dir) {
        return new WorkerMount(dir, dir, true);
    }
}
