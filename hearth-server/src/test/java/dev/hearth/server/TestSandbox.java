package dev.hearth.server;

import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.server.workers.SandboxSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * How test servers confine their workers: in bubblewrap sandboxes, as a server does by default, where this machine
 * can make them (CI installs bubblewrap); unsandboxed where it cannot, so that a fresh clone's tests pass there too.
 * Either way workers also see {@link #sharedDir(String) one directory} that tests and handlers both write to.
 */
public final class TestSandbox {

    private static final String SHARED_PROPERTY = "hearth.test.shared";
    private static final boolean BUBBLEWRAP = Bubblewrap.onHost();
    private static final Path SHARED = makeShared();

    private TestSandbox() {
    }

    /** Whether test servers sandbox their workers. */
    public static boolean sandboxed() {
        return BUBBLEWRAP;
    }

    public static SandboxSettings settings() {
        return SandboxSettings.DEFAULT.withUnsafeNoSandbox(!BUBBLEWRAP).withBinds(List.of(WorkerMount.writable(SHARED)));
    }

    /** The same, showing workers these host paths too (read-only). */
    public static SandboxSettings settingsAlsoShowing(List<Path> paths) {
        return settings().withBinds(paths.stream().filter(Files::exists).map(WorkerMount::readOnly).toList());
    }

    /** A new directory that handlers (running as another user) can write to and the test can read. */
    public static Path sharedDir(String prefix) {
        try {
            return open(Files.createTempDirectory(SHARED, prefix), "rwxrwxrwx");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty file that handlers can append to. */
    public static Path sharedFile(String prefix, String suffix) {
        try {
            return open(Files.createTempFile(SHARED, prefix, suffix), "rw-rw-rw-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Passed to a server started as its own JVM: its workers then see this JVM's shared directory. */
    public static String sharedDirProperty() {
        return "-D" + SHARED_PROPERTY + "=" + SHARED;
    }

    private static Path makeShared() {
        if (System.getProperty(SHARED_PROPERTY) != null) {
            return Path.of(System.getProperty(SHARED_PROPERTY));
        }
        try {
            return open(Files.createTempDirectory("hearth-shared-"), "rwxrwxrwx");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path open(Path p, String permissions) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        return p;
    }
}
