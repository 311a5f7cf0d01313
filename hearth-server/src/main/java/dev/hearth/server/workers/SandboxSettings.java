package dev.hearth.server.workers;

import dev.hearth.runtime.WorkerMount;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How local workers are confined (see {@code docs/security.md}).
 *
 * @param unsafeNoSandbox {@code --unsafe-no-sandbox}: run workers as plain processes that can read the data dir
 * @param bwrap           the bubblewrap program: {@code bwrap} on the PATH, or a path to it
 * @param workerUser      {@code --worker-user}: whom workers run as when the server is root; null for {@code nobody}
 * @param binds           {@code --worker-bind}: more host directories every worker sees
 */
public record SandboxSettings(boolean unsafeNoSandbox, String bwrap, String workerUser, List<WorkerMount> binds) {

    /** Sandboxed with the bwrap on the PATH, as nobody when the server is root. */
    public static final SandboxSettings DEFAULT = new SandboxSettings(false, "bwrap", null, List.of());

    public SandboxSettings {
        Objects.requireNonNull(bwrap, "bwrap");
        binds = List.copyOf(binds);
    }

    public SandboxSettings withUnsafeNoSandbox(boolean unsafe) {
        return new SandboxSettings(unsafe, bwrap, workerUser, binds);
    }

    public SandboxSettings withBwrap(String program) {
        return new SandboxSettings(unsafeNoSandbox, program, workerUser, binds);
    }

    public SandboxSettings withWorkerUser(String user) {
        return new SandboxSettings(unsafeNoSandbox, bwrap, user, binds);
    }

    /** These settings, with workers also seeing {@code more} besides the binds already given. */
    public SandboxSettings withBinds(List<WorkerMount> more) {
        return new SandboxSettings(unsafeNoSandbox, bwrap, workerUser,
                java.util.stream.Stream.concat(binds.stream(), more.stream()).toList());
    }

    /**
     * {@code /srv/models} (read-only) or {@code /srv/cache:rw}, as {@code --worker-bind} takes it.
     *
     * @throws IllegalArgumentException naming the flag when the path is not absolute
     */
    public static WorkerMount bind(String spec) {
        boolean writable = spec.endsWith(":rw");
        String path = writable ? spec.substring(0, spec.length() - 3) : spec.endsWith(":ro")
                ? spec.substring(0, spec.length() - 3) : spec;
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("--worker-bind " + spec + ": give an absolute path, optionally "
                    + "followed by :rw (e.g. /srv/models or /srv/cache:rw)");
        }
        Path dir = Path.of(path).normalize();
        return writable ? WorkerMount.writable(dir) : WorkerMount.readOnly(dir);
    }
}
