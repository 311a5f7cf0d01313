package dev.hearth.server;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real, size-limited file system for tests: a tmpfs mounted for the test and filled with a ballast file until the
 * kernel answers "No space left on device", exactly as a full disk does. Mounting needs root (or CAP_SYS_ADMIN);
 * where the test runs without it, it is skipped saying so. Nothing short of a real file system gives SQLite's own
 * answer to a full disk: a process file-size limit (RLIMIT_FSIZE) makes writes fail with EFBIG and a SIGXFSZ, which
 * SQLite reports as an I/O error, not as a full database, and it would cap every file the JVM writes.
 */
final class SmallDisk implements AutoCloseable {

    private final Path mountPoint;
    private final Path ballast;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.ballast = mountPoint.resolve("ballast");
    }

    /** Mounts a tmpfs of {@code mib} MiB at {@code dir} (created), or aborts the test when mounting is not allowed. */
    static SmallDisk mount(Path dir, int mib) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p;
        try {
            p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            abort("skipped: no mount command to make a small file system (" + e.getMessage() + ")");
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            abort("skipped: mounting a " + mib + " MiB tmpfs needs root or CAP_SYS_ADMIN, which this test run lacks ("
                    + out + ")");
        }
        return new SmallDisk(dir);
    }

    Path path() {
        return mountPoint;
    }

    long usableBytes() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /** Writes ballast until the file system has no byte left. */
    void fill() throws IOException {
        fillTo(0);
    }

    /** Writes ballast until at most about {@code leftBytes} are free (all of it, to the last page, for 0). */
    void fillTo(long leftBytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(ballast)) {
            for (int chunk : new int[] {1 << 16, 1 << 12, 1}) {
                byte[] bytes = new byte[chunk];
                try {
                    while (usableBytes() - chunk >= leftBytes || leftBytes == 0) {
                        out.write(bytes);
                        out.flush();
                    }
                } catch (IOException full) {
                    if (leftBytes > 0) {
                        throw full;
                    }
                    // no room for this chunk: go on with smaller ones
                }
            }
        } catch (IOException full) {
            if (leftBytes > 0) {
                throw full;
            }
            // closing flushes nothing more: the last write already failed
        }
    }

    /** Deletes the ballast: the space is back. */
    void free() throws IOException {
        Files.deleteIfExists(ballast);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // lazily: a worker process that is still exiting may hold a file open
        Process p = new ProcessBuilder("umount", "-l", mountPoint.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new UncheckedIOException(new IOException("could not unmount " + mountPoint));
        }
    }
}
