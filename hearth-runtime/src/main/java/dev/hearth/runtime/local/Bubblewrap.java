package dev.hearth.runtime.local;

import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.WorkerStartException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs each worker in a bubblewrap ({@code bwrap}) sandbox of its own: its own PID namespace (no other process in
 * {@code /proc}), the system directories read-only, a minimal {@code /etc}, a private {@code /tmp},
 * {@code /dev/shm} and {@code HOME}, its code bundle and {@link WorkerMount mounts} (environment, worker library,
 * volumes) and nothing else of the data dir, which is hidden under an empty directory; the network is the host's, so
 * the worker reaches the control plane on loopback. GPU workers also get the NVIDIA device files.
 *
 * <p>Every directory a worker gets appears at the same path as on the host, so virtualenvs, volume links and
 * {@code HEARTH_VOLUME_*} work unchanged. The program's own installation (a pyenv or conda interpreter outside
 * {@code /usr}) is shown read-only as well.
 *
 * <p>When the server is root, the program runs as an unprivileged {@link WorkerUser} with no capabilities
 * ({@code setpriv} inside the sandbox, after bwrap made it as root); otherwise bwrap makes a user namespace and the
 * worker stays the server's user, without capabilities.
 */
public final class Bubblewrap implements WorkerSandbox {

    /** Read-only (or recreated as the same links) where they exist: what running a program needs. */
    private static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32",
            "/libx32", "/sys");
    /** The few files of {@code /etc} programs read: users, name resolution, the loader's cache, TLS roots, time. */
    private static final List<String> ETC = List.of("passwd", "group", "hosts", "host.conf", "resolv.conf",
            "nsswitch.conf", "gai.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "ssl",
            "ca-certificates", "ca-certificates.conf", "pki", "crypto-policies", "alternatives", "protocols",
            "services", "mime.types", "os-release", "debian_version");
    /** The server's pid means nothing in a PID namespace of its own; the worker watches its parent instead. */
    static final String HOST_PID_VARIABLE = "HEARTH_CONTROL_PLANE_PID";
    private static final String DEFAULT_PATH = "/bin:/usr/bin"; // what execvp searches without PATH

    private final Path bwrap;
    private final Optional<WorkerUser> user;
    private final Path setpriv;
    private final boolean root;
    private final List<Path> hidden;
    private final List<WorkerMount> binds;
    private final Path scratch;
    private final List<String> systemArgs;
    private final List<Path> systemDirs;
    /** The worker's {@code /etc}, bound as one: see {@link SandboxEtc}. */
    private final SandboxEtc etc;

    private Bubblewrap(Path bwrap, Optional<WorkerUser> user, Path setpriv, boolean root, List<Path> hidden,
                       List<WorkerMount> binds, Path scratch, SandboxEtc etc) {
        this.scratch = scratch;
        this.bwrap = bwrap;
        this.user = user;
        this.setpriv = setpriv;
        this.root = root;
        this.hidden = hidden.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.binds = List.copyOf(binds);
        List<String> args = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (String name : SYSTEM) {
            Path p = Path.of(name);
            try {
                if (Files.isSymbolicLink(p)) {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), name));
                    dirs.add(p); // there too, as the same link
                } else if (Files.isDirectory(p)) {
                    args.addAll(List.of("--ro-bind", name, name));
                    dirs.add(p);
                }
            } catch (IOException e) {
                // unreadable: left out
            }
        }
        for (String name : ETC) {
            Path p = Path.of("/etc", name);
            if (Files.exists(p)) {
                dirs.add(p);
            }
        }
        this.systemArgs = List.copyOf(args);
        this.systemDirs = List.copyOf(dirs);
        this.etc = etc;
    }

    /**
     * A bubblewrap sandbox if one can be made here, tried once with {@code true}; else why not.
     *
     * @param program {@code bwrap} to look it up on the PATH, or a path to it
     * @param user    whom workers run as; empty: the server's user
     * @param hidden  directories no worker may see into (the data dir) beyond what a launch mounts
     * @param binds   more host directories every worker sees (the operator's {@code --worker-bind})
     */
    public static WorkerSandbox probe(String program, Optional<WorkerUser> user, List<Path> hidden,
                                      List<WorkerMount> binds) {
        return probe(program, user, hidden, binds, null);
    }

    /**
     * The same, where each worker also gets a directory of its own under {@code scratch} (the server's temporary
     * directory) as its {@code TMPDIR}, at the same path as on the host: files a function returns by path (Replicate's
     * output files) are written there for the server to take. The worker's {@code /tmp} itself stays private.
     */
    public static WorkerSandbox probe(String program, Optional<WorkerUser> user, List<Path> hidden,
                                      List<WorkerMount> binds, Path scratch) {
        Optional<Path> found = program.contains("/") ? Optional.of(Path.of(program)).filter(Files::isExecutable)
                : onPath(program, System.getenv("PATH"));
        if (found.isEmpty()) {
            return new Unavailable("bubblewrap (" + program + ") is not installed"
                    + (program.contains("/") ? " at that path" : " (not found on the PATH)")
                    + ", and workers run sandboxed: install it (Debian and Ubuntu: apt-get install bubblewrap; "
                    + "Fedora: dnf install bubblewrap) and restart, or restart with --unsafe-no-sandbox to run "
                    + "workers without a sandbox (any function can then read the data dir and the API key)");
        }
        Path setpriv = null;
        if (user.isPresent()) {
            setpriv = onPath("setpriv", "/usr/bin:/bin:/usr/sbin:/sbin").orElse(null);
            if (setpriv == null) {
                return new Unavailable("setpriv (util-linux) is not installed; it runs workers as "
                        + user.get().name() + ": install util-linux, or restart with --worker-user root");
            }
        }
        SandboxEtc etc;
        try {
            etc = SandboxEtc.create(Path.of("/etc"), ETC);
        } catch (IOException e) {
            return new Unavailable("cannot prepare the workers' /etc in the temporary directory: " + e.getMessage());
        }
        Bubblewrap sandbox = new Bubblewrap(found.get(), user, setpriv, WorkerUser.currentUid() == 0, hidden, binds,
                scratch == null ? null : scratch.toAbsolutePath().normalize(), etc);
        return sandbox.tryOnce().<WorkerSandbox>map(Unavailable::new).orElse(sandbox);
    }

    /** Whether the bwrap on the PATH makes sandboxes here, for the server's user and its default worker user. */
    public static boolean onHost() {
        try {
            return probe("bwrap", WorkerUser.forServer(null), List.of(), List.of()) instanceof Bubblewrap;
        } catch (IllegalArgumentException e) {
            return false; // no such user as the default one
        }
    }

    /** Runs {@code true} in a sandbox as a worker gets it; the reason it failed, if it did. */
    private Optional<String> tryOnce() {
        WorkerLaunch probe = new WorkerLaunch("probe", "probe", 0, Path.of("/usr"), List.of("true"), Map.of(),
                List.of(), Path.of("/dev/null"));
        try {
            Process p = new ProcessBuilder(invocation(probe, Map.of("PATH", "/usr/bin:/bin")).command())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("bubblewrap (" + bwrap + ") did not start a sandbox within 10 s");
            }
            if (p.exitValue() == 0) {
                return Optional.empty();
            }
            return Optional.of("bubblewrap (" + bwrap + ") cannot make a sandbox here (" + (out.isEmpty()
                    ? "exit code " + p.exitValue() : out) + "); where the kernel forbids user namespaces to "
                    + "unprivileged users (sysctl kernel.unprivileged_userns_clone=0, Ubuntu's "
                    + "kernel.apparmor_restrict_unprivileged_userns=1) or a container forbids mounts, allow them, or "
                    + "restart with --unsafe-no-sandbox to run workers without a sandbox");
        } catch (IOException | WorkerStartException e) {
            return Optional.of("bubblewrap (" + bwrap + ") cannot be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while trying bubblewrap");
        }
    }

    @Override
    public Invocation invocation(WorkerLaunch launch, Map<String, String> env) {
        Path workDir = launch.workDir().toAbsolutePath().normalize();
        Map<String, String> inner = new HashMap<>(env);
        inner.remove(HOST_PID_VARIABLE);
        List<WorkerMount> mounts = new ArrayList<>(binds);
        mounts.addAll(launch.mounts());

        List<String> args = new ArrayList<>(List.of(bwrap.toString(), "--die-with-parent", "--new-session",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
                "--perms", "1777", "--tmpfs", "/dev/shm"));
        Path home = privateHome(env.get("HOME"), launch.mounts());
        boolean homeInHidden = home != null && hidden.stream().anyMatch(home::startsWith);
        if (home != null && !homeInHidden) {
            // first: the program's installation and the mounts below may lie under it (pyenv in /root/.pyenv)
            args.addAll(List.of("--perms", "0777", "--tmpfs", home.toString()));
        }
        args.addAll(systemArgs);
        try {
            etc.addArgs(args);
        } catch (IOException e) {
            throw new WorkerStartException("cannot refresh the workers' /etc copy: " + e.getMessage(), e);
        }
        Set<Path> made = new HashSet<>();
        for (Path dir : programDirs(launch.command().getFirst(), inner.getOrDefault("PATH", DEFAULT_PATH), workDir,
                mounts)) {
            bind(args, made, "--ro-bind", dir, dir);
        }
        // the operator's binds before the data dir is hidden: one above it must not show it
        for (WorkerMount m : binds) {
            bind(args, made, m.writable() ? "--bind" : "--ro-bind", m.source(), m.target());
        }
        for (Path dir : hidden) {
            args.addAll(List.of("--tmpfs", dir.toString()));
        }
        made.clear(); // the directories made so far under hidden ones are gone
        if (homeInHidden) {
            makeDirsAbove(args, made, home);
            args.addAll(List.of("--perms", "0777", "--tmpfs", home.toString()));
        }
        bind(args, made, "--ro-bind", workDir, workDir);
        for (WorkerMount m : launch.mounts()) {
            if (m.writable()) {
                user.ifPresent(u -> WritableDirs.handOver(m.source(), u));
            }
            bind(args, made, m.writable() ? "--bind" : "--ro-bind", m.source(), m.target());
        }
        if (scratch != null && !launch.workerId().equals("probe")) { // the start-up probe needs none
            Path own = scratchOf(launch.workerId());
            try {
                Files.createDirectories(own);
                Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new WorkerStartException("cannot make its temporary directory " + own + ": " + e.getMessage(), e);
            }
            user.ifPresent(u -> WritableDirs.handOver(own, u));
            bind(args, made, "--bind", own, own);
            inner.put("TMPDIR", own.toString());
        }
        if (!launch.gpus().isEmpty()) {
            for (Path device : nvidiaDevices()) {
                args.addAll(List.of("--dev-bind", device.toString(), device.toString()));
            }
        }
        args.addAll(List.of("--chdir", workDir.toString()));
        if (user.isPresent()) {
            // only what setpriv needs to become the user; changing uid then clears them, and setpriv drops the rest
            args.addAll(List.of("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                    "--cap-add", "CAP_SETPCAP", "--", setpriv.toString(), "--reuid=" + user.get().uid(),
                    "--regid=" + user.get().gid(), "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                    "--"));
        } else {
            if (root) {
                args.addAll(List.of("--cap-drop", "ALL"));
            }
            args.add("--");
        }
        args.addAll(launch.command());
        return new Invocation(args, inner);
    }

    /**
     * Where the worker's own empty {@code HOME} goes: the path its environment names, unless that is no place for
     * one (unset, relative, {@code /}, or inside the read-only system directories) or a mount gives it one (the
     * function's HOME that outlives its workers).
     */
    private Path privateHome(String home, List<WorkerMount> mounts) {
        if (home == null || !home.startsWith("/")) {
            return null;
        }
        Path path = Path.of(home).normalize();
        return path.getNameCount() == 0 || systemDirs.stream().anyMatch(path::startsWith)
                || mounts.stream().anyMatch(m -> path.startsWith(m.target())) ? null : path;
    }

    /**
     * Binds {@code source} at {@code target}, making the directories above the target first where they are missing:
     * bwrap would make them accessible to its own user only, and a worker running as another could not reach the
     * target. (Existing ones are left as they are.)
     */
    private static void bind(List<String> args, Set<Path> made, String how, Path source, Path target) {
        Path normalized = target.toAbsolutePath().normalize();
        makeDirsAbove(args, made, normalized);
        args.addAll(List.of(how, source.toString(), normalized.toString()));
    }

    private static void makeDirsAbove(List<String> args, Set<Path> made, Path path) {
        for (int i = 1; i < path.getNameCount(); i++) {
            Path above = path.getRoot().resolve(path.subpath(0, i));
            if (made.add(above)) {
                args.addAll(List.of("--perms", "0755", "--dir", above.toString()));
            }
        }
    }

    /**
     * The directories to show so that the program can be run: none when it is in the system directories, the bundle
     * or a mount; else the installation it belongs to ({@code <prefix>} of {@code <prefix>/bin/python3}), and the
     * directory it was found in if that is elsewhere (a link on the PATH).
     */
    private List<Path> programDirs(String program, String path, Path workDir, List<WorkerMount> mounts) {
        Path found;
        if (program.contains("/")) {
            found = workDir.resolve(program).normalize();
            if (!Files.exists(found)) {
                throw new WorkerStartException("program '" + program + "' not found", null);
            }
        } else {
            found = onPath(program, path).orElseThrow(() -> new WorkerStartException("program '" + program
                    + "' not found on the PATH", null));
        }
        if (!Files.isExecutable(found) || Files.isDirectory(found)) {
            throw new WorkerStartException("program '" + program + "' is not executable (permission denied)", null);
        }
        List<Path> visible = new ArrayList<>(systemDirs);
        visible.add(workDir);
        mounts.forEach(m -> visible.add(m.source()));
        List<Path> dirs = new ArrayList<>();
        try {
            Path real = found.toRealPath();
            if (!covered(real, visible)) {
                Path prefix = WorkerMount.installation(real);
                dirs.add(prefix);
                visible.add(prefix);
            }
        } catch (IOException e) {
            throw new WorkerStartException("program '" + program + "' cannot be read: " + e.getMessage(), e);
        }
        if (!covered(found, visible)) {
            dirs.add(found.getParent());
        }
        return dirs;
    }

    private static boolean covered(Path p, List<Path> visible) {
        return visible.stream().anyMatch(p::startsWith);
    }

    static Optional<Path> onPath(String program, String path) {
        for (String dir : (path == null ? DEFAULT_PATH : path).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve(program);
            if (candidate.isAbsolute() && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static List<Path> nvidiaDevices() {
        List<Path> devices = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/dev"), "nvidia*")) {
            dir.forEach(devices::add);
        } catch (IOException e) {
            // no /dev to list: no devices
        }
        devices.sort(Comparator.naturalOrder());
        return devices;
    }

    private Path scratchOf(String workerId) {
        return scratch.resolve("hearth-" + workerId);
    }

    /** Its temporary directory goes with it, unless it left files there that the server has not taken yet. */
    @Override
    public void exited(String workerId) {
        if (scratch != null) {
            try {
                Files.deleteIfExists(scratchOf(workerId));
            } catch (IOException e) {
                // not empty (an output file not taken yet): left, as a plain process's files in /tmp are
            }
        }
    }

    /** Below the started bwrap is its reaper, pid 1 of the worker's namespace, and below that the program. */
    @Override
    public ProcessHandle program(ProcessHandle started) {
        return started.children().findFirst()
                .flatMap(reaper -> reaper.children().min(Comparator.comparing(
                        (ProcessHandle h) -> h.info().startInstant().orElse(java.time.Instant.MAX))))
                .orElse(started);
    }

    @Override
    public boolean isolates() {
        return true;
    }

    @Override
    public String describe() {
        return "sandboxed with bubblewrap (" + bwrap + "), " + user.map(u -> "as user " + u.name() + " (uid "
                + u.uid() + ")").orElse("as the server's user without capabilities");
    }

    @Override
    public String toString() {
        return describe();
    }

    Optional<WorkerUser> user() {
        return user;
    }
}
