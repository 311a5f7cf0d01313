package dev.hearth.server.envs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.envs.EnvKey;
import dev.hearth.envs.Requirements;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.PythonEnv;
import dev.hearth.runtime.WorkerStartException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Functions' Python environments: one virtualenv per {@link EnvKey} under {@code <data-dir>/envs/<hash>/}, built at
 * deploy time and shared by every function and version with the same key.
 *
 * <p>An environment is ready once its marker file ({@value #MARKER}) exists; the marker is written last, atomically,
 * so a build that stopped midway (a crash, a restart) is never used: the next deploy that needs it deletes the
 * half-built directory and builds again. The environment is built in its final directory rather than in a temporary
 * one renamed at the end because a virtualenv is not relocatable: pip writes its absolute path into the scripts it
 * installs.
 *
 * <p>Which versions use an environment is not stored: it is computed from their manifests and bundles.
 */
public final class PythonEnvs implements AutoCloseable {

    static final String MARKER = ".hearth-env.json";
    private static final String LAST_USED = ".hearth-last-used";
    private static final Logger LOG = Logger.getLogger(PythonEnvs.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A ready environment. */
    public record Env(String hash, Path dir) {
        /** The environment's interpreter. */
        public Path python() {
            return dir.resolve("bin").resolve("python");
        }
    }

    /**
     * An environment as {@code hearth env ls} shows it.
     *
     * @param usedBy   {@code fn:version} of every stored version that runs in it
     * @param lastUsed when a worker last started in it, or null if none has
     */
    public record EnvInfo(String hash, Path dir, String interpreter, String pythonVersion, boolean systemSitePackages,
                          List<String> requirements, long sizeBytes, Instant builtAt, Instant lastUsed,
                          List<String> usedBy) {
    }

    private final Path root;
    private final PipSettings pip;
    private final String defaultPython;
    private final Function<FunctionVersion, Path> bundleDirs;
    private final InstantSource clock;
    private final Interpreters interpreters = new Interpreters();
    private final ConcurrentHashMap<String, EnvBuild> building = new ConcurrentHashMap<>();
    /** Environments that deploys have readied but not yet saved a version for: not to be pruned meanwhile. */
    private final Map<String, Integer> pinned = new HashMap<>();
    /** The environments of deployed versions, by bundle hash. */
    private final ConcurrentHashMap<String, Env> ofVersion = new ConcurrentHashMap<>();
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    /**
     * @param root          {@code <data-dir>/envs}
     * @param defaultPython the interpreter of a {@code python:} block without a version (the server's {@code --python})
     * @param bundleDirs    where a version's code is, for its requirements file
     */
    public PythonEnvs(Path root, PipSettings pip, String defaultPython, Function<FunctionVersion, Path> bundleDirs,
                      InstantSource clock) {
        this.root = root;
        this.pip = pip;
        this.defaultPython = defaultPython;
        this.bundleDirs = bundleDirs;
        this.clock = clock;
    }

    /**
     * Readies the environment a manifest asks for (none without a {@code python:} block): reuses a ready one, joins a
     * build under way, or builds it, passing each line of output to {@code progress}; returns once it is ready. Call
     * what it returns once the version is saved or the deploy failed: until then a prune leaves the environment be.
     *
     * @throws ManifestException when the interpreter or the requirements file is missing
     * @throws dev.hearth.errors.HearthException.Unprocessable when pip fails, with pip's errors
     */
    public Runnable prepare(FunctionManifest manifest, Path bundleDir, Consumer<String> progress) {
        if (manifest.python() == null) {
            return () -> { };
        }
        EnvKey key = key(manifest.python(), bundleDir);
        String hash = key.hash();
        pin(hash, 1);
        try {
            Path dir = root.resolve(hash);
            if (ready(dir)) {
                progress.accept("Python environment " + hash + " is ready (built before)");
                return () -> pin(hash, -1);
            }
            boolean[] joined = {true};
            EnvBuild build = building.computeIfAbsent(hash, h -> {
                joined[0] = false;
                EnvBuild b = new EnvBuild(key, dir, pip, running);
                Thread.ofVirtual().name("hearth-env-" + h).start(() -> b.run(() -> writeMarker(key, dir),
                        () -> building.remove(h, b)));
                return b;
            });
            progress.accept(joined[0] ? "Python environment " + hash + ": joining the build already under way"
                    : "Python environment " + hash + ": building in " + dir);
            follow(build, progress);
            progress.accept("Python environment " + hash + " is ready");
            return () -> pin(hash, -1);
        } catch (RuntimeException e) {
            pin(hash, -1);
            throw e;
        }
    }

    private static void follow(EnvBuild build, Consumer<String> progress) {
        int seen = 0;
        try {
            while (true) {
                EnvBuild.Progress p = build.next(seen);
                p.lines().forEach(progress);
                seen += p.lines().size();
                if (p.finished()) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.hearth.errors.HearthException.Unavailable("interrupted while building the Python "
                    + "environment");
        }
        build.rethrow();
    }

    /** The environment of a deployed version, for its workers; empty when its manifest has no {@code python:}. */
    public Optional<Env> of(FunctionVersion v) {
        if (v.manifest().python() == null) {
            return Optional.empty();
        }
        // by bundle: it holds the manifest and the requirements file, and a function deleted and deployed again
        // reuses version numbers
        Env env = ofVersion.get(v.bundleSha256());
        if (env == null) {
            String hash;
            try {
                hash = key(v.manifest().python(), bundleDirs.apply(v)).hash();
            } catch (ManifestException e) {
                throw new WorkerStartException(v.name() + " version " + v.version() + ": " + e.getMessage(), e);
            }
            env = new Env(hash, root.resolve(hash));
        }
        if (!ready(env.dir())) {
            ofVersion.remove(v.bundleSha256());
            throw new WorkerStartException("the Python environment " + env.hash() + " of " + v.name() + " version "
                    + v.version() + " is not built (removed by hand?); deploy the function again to build it", null);
        }
        ofVersion.put(v.bundleSha256(), env);
        touch(env.dir().resolve(LAST_USED));
        return Optional.of(env);
    }

    /**
     * What a node needs to build a version's environment itself (a worker on another machine, see the Slurm
     * runtime's bootstrap): the key it was built from here and pip's arguments.
     *
     * @param dir     the environment's directory here, which the node's copy stands in for in the worker's launch
     * @param pipArgs the arguments {@code pip install} gets here ({@code --pip-index-url}, ...): a directory they
     *                name must be one the nodes see too
     */
    public record NodeEnv(String hash, Path dir, String interpreter, String pythonVersion, boolean systemSitePackages,
                          List<String> requirements, List<String> pipArgs) {
    }

    /** The environment of a deployed version as a node builds it; empty when its manifest has no {@code python:}. */
    public Optional<NodeEnv> forNodes(FunctionVersion v) {
        return of(v).map(env -> {
            EnvInfo i = info(env.dir(), List.of());
            return new NodeEnv(env.hash(), env.dir(), i.interpreter(), i.pythonVersion(), i.systemSitePackages(),
                    i.requirements(), pip.installArgs());
        });
    }

    /** The key of a {@code python:} block: its interpreter resolved, its requirements read and normalized. */
    EnvKey key(PythonEnv spec, Path bundleDir) {
        Interpreters.Interpreter i = spec.version() == null
                ? interpreters.resolve(defaultPython, "the server's Python (--python)")
                : interpreters.resolve(spec.interpreterCommand(), "'python.version' \"" + spec.version() + "\"");
        List<String> lines = spec.requirements();
        String where = "python.requirements";
        if (spec.requirementsFile() != null) {
            Path file = bundleDir.resolve(spec.requirementsFile()).normalize();
            where = "python.requirements (" + spec.requirementsFile() + ")";
            if (!file.startsWith(bundleDir) || !Files.isRegularFile(file)) {
                throw new ManifestException("'python.requirements' names " + spec.requirementsFile()
                        + ", which is not in the deployed directory");
            }
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ManifestException("'python.requirements': cannot read " + spec.requirementsFile() + ": "
                        + e.getMessage());
            }
        }
        return new EnvKey(i.executable(), i.version(), Requirements.normalize(lines, where),
                spec.systemSitePackages());
    }

    /** Every environment on disk with the stored versions that use it, newest build first. */
    public List<EnvInfo> list(List<FunctionVersion> versions) {
        Map<String, List<String>> users = users(versions);
        List<EnvInfo> out = new ArrayList<>();
        for (Path dir : dirs()) {
            if (ready(dir)) {
                out.add(info(dir, users.getOrDefault(dir.getFileName().toString(), List.of())));
            }
        }
        out.sort(Comparator.comparing(EnvInfo::builtAt, Comparator.nullsLast(Comparator.reverseOrder())));
        return out;
    }

    /**
     * Deletes the environments no stored version uses, and what failed builds left behind; not one being built or
     * readied by a deploy under way.
     *
     * @return the environments deleted
     */
    public List<EnvInfo> prune(List<FunctionVersion> versions) {
        Map<String, List<String>> users = users(versions);
        List<EnvInfo> removed = new ArrayList<>();
        synchronized (pinned) {
            for (Path dir : dirs()) {
                String hash = dir.getFileName().toString();
                if (users.containsKey(hash) || pinned.containsKey(hash) || building.containsKey(hash)) {
                    continue;
                }
                EnvInfo info = ready(dir) ? info(dir, List.of()) : null;
                try {
                    EnvFiles.deleteTree(dir);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete the Python environment " + dir, e);
                }
                if (info != null) {
                    removed.add(info);
                }
            }
        }
        return removed;
    }

    private Map<String, List<String>> users(List<FunctionVersion> versions) {
        Map<String, List<String>> users = new TreeMap<>();
        for (FunctionVersion v : versions) {
            if (v.manifest().python() == null) {
                continue;
            }
            try {
                String hash = key(v.manifest().python(), bundleDirs.apply(v)).hash();
                users.computeIfAbsent(hash, h -> new ArrayList<>()).add(v.name() + ":" + v.version());
            } catch (ManifestException e) {
                // its interpreter is gone: it uses no environment that could run
                LOG.fine(v.name() + " version " + v.version() + ": " + e.getMessage());
            }
        }
        return users;
    }

    private List<Path> dirs() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static EnvInfo info(Path dir, List<String> usedBy) {
        try {
            JsonNode m = JSON.readTree(dir.resolve(MARKER).toFile());
            List<String> reqs = new ArrayList<>();
            m.path("requirements").forEach(r -> reqs.add(r.asText()));
            Path lastUsed = dir.resolve(LAST_USED);
            return new EnvInfo(dir.getFileName().toString(), dir, m.path("interpreter").asText(),
                    m.path("pythonVersion").asText(), m.path("systemSitePackages").asBoolean(), reqs,
                    m.path("sizeBytes").asLong(), Instant.parse(m.path("builtAt").asText()),
                    Files.exists(lastUsed) ? Files.getLastModifiedTime(lastUsed).toInstant() : null, usedBy);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the marker of the Python environment " + dir + ": " + e, e);
        }
    }

    private static boolean ready(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /** The last step of a build: what it is, written to a temporary file and renamed, so it is whole or absent. */
    private void writeMarker(EnvKey key, Path dir) {
        try {
            ObjectNode m = JSON.createObjectNode();
            m.put("hash", key.hash());
            m.put("interpreter", key.interpreter());
            m.put("pythonVersion", key.pythonVersion());
            m.put("systemSitePackages", key.systemSitePackages());
            key.requirements().forEach(m.putArray("requirements")::add);
            m.put("builtAt", clock.instant().toString());
            m.put("sizeBytes", EnvFiles.size(dir));
            Path tmp = dir.resolve(MARKER + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(m));
            Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark the Python environment " + dir + " ready", e);
        }
    }

    private void pin(String hash, int delta) {
        synchronized (pinned) {
            pinned.merge(hash, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private void touch(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
        } catch (IOException e) {
            LOG.fine("cannot record the use of " + file.getParent() + ": " + e.getMessage());
        }
    }

    /** Stops builds under way; what they leave is half-built and built again by the next deploy that needs it. */
    @Override
    public void close() {
        running.forEach(Process::destroyForcibly);
    }
}
