package dev.hearth.runtime.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged user sandboxed workers run as, when the server runs as root ({@code --worker-user}, {@code nobody}
 * by default): a worker that breaks out of its file system view still owns nothing of the server's.
 *
 * @param name how the operator named it
 */
public record WorkerUser(String name, int uid, int gid) {

    /** Who workers run as unless told otherwise, when the server is root. */
    public static final String DEFAULT = "nobody";

    /**
     * The user workers of a server run as, or empty to keep the server's own (it is not root, or was told
     * {@code root}).
     *
     * @param requested {@code --worker-user}: a name, {@code UID} or {@code UID:GID}; null for the default
     * @throws IllegalArgumentException when the user does not exist, or a user is asked of a server that is not root
     */
    public static Optional<WorkerUser> forServer(String requested) {
        int self = currentUid();
        if (requested == null || requested.isBlank()) {
            return self == 0 ? Optional.of(resolve(DEFAULT)) : Optional.empty();
        }
        WorkerUser user = resolve(requested.strip());
        if (user.uid() == self) {
            return Optional.empty();
        }
        if (self != 0) {
            throw new IllegalArgumentException("--worker-user " + requested + ": only a server running as root can "
                    + "run workers as another user (this one runs as uid " + self + "; its workers run as it)");
        }
        return Optional.of(user);
    }

    /** {@code nobody}, {@code 65534} or {@code 65534:65534}. */
    static WorkerUser resolve(String spec) {
        if (spec.matches("\\d+(:\\d+)?")) {
            String[] ids = spec.split(":");
            int uid = Integer.parseInt(ids[0]);
            return new WorkerUser(spec, uid, ids.length > 1 ? Integer.parseInt(ids[1]) : uid);
        }
        return passwdEntry(spec).map(fields -> new WorkerUser(spec, Integer.parseInt(fields.get(2)),
                        Integer.parseInt(fields.get(3))))
                .orElseThrow(() -> new IllegalArgumentException("--worker-user " + spec + ": no such user on this "
                        + "machine (give a name that getent passwd knows, or UID:GID)"));
    }

    /** The user's line in the password database, split: getent asks NSS (LDAP too); /etc/passwd where it is not. */
    private static Optional<List<String>> passwdEntry(String name) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return fields(out, name);
            }
            if (p.exitValue() == 2) {
                return Optional.empty(); // getent's "not found"
            }
        } catch (IOException e) {
            // no getent: read the file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                Optional<List<String>> found = fields(line, name);
                if (found.isPresent()) {
                    return found;
                }
            }
        } catch (IOException e) {
            // nothing to read it from
        }
        return Optional.empty();
    }

    private static Optional<List<String>> fields(String line, String name) {
        List<String> fields = List.of(line.split(":", -1));
        return fields.size() >= 4 && fields.get(0).equals(name) && fields.get(2).matches("\\d+")
                && fields.get(3).matches("\\d+") ? Optional.of(fields) : Optional.empty();
    }

    /** The effective uid of this process: {@code /proc/self} belongs to it. */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
