package dev.hearth.server.workers;

import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.Runtime;
import dev.hearth.placement.Gpu;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.server.volumes.Volumes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Turns a function version and a worker into the process to start: the command line and the RunPod worker-protocol
 * environment, so that a worker written with runpod-python needs nothing Hearth-specific.
 */
public final class WorkerCommands {

    /**
     * The query parameter of the worker URLs that carries the worker's token, accepted in place of the Authorization
     * header: runpod-python keeps these URLs' query strings, but sends another key in the header when the host has a
     * {@code ~/.runpod/config.toml} or {@code RUNPOD_API_KEY}.
     */
    public static final String TOKEN_PARAM = "hearth_token";
    /**
     * Variables a command worker gets unless its manifest's {@code env} says otherwise: runpod-python's start-up
     * check opens a connection to a public DNS server and stops the worker on an offline host, and its default DEBUG
     * level logs every poll.
     */
    static final Map<String, String> COMMAND_DEFAULTS = Map.of(
            "RUNPOD_SKIP_AUTO_SYSTEM_CHECKS", "true",
            "RUNPOD_DEBUG_LEVEL", "INFO");

    private final Supplier<URI> baseUrl;
    private final Function<FunctionVersion, Path> bundleDirs;
    private final Path pythonLib;
    private final Path logDir;
    private final String python;
    private final Duration pingInterval;
    private final Volumes volumes;
    private final Function<FunctionVersion, Optional<Path>> envPythons;
    private final WorkerEnvironment environment;
    private final Path homes;

    /**
     * @param envPythons the interpreter of a version's own Python environment (its manifest's {@code python:}), or
     *                   empty to use {@code python}; throws {@link dev.hearth.runtime.WorkerStartException} when the
     *                   environment is not there
     * @param homes      where each function's workers get their own HOME, {@code homes/<function>}
     */
    public WorkerCommands(Supplier<URI> baseUrl, Function<FunctionVersion, Path> bundleDirs, Path pythonLib,
                          Path logDir, String python, Duration pingInterval, Volumes volumes,
                          Function<FunctionVersion, Optional<Path>> envPythons, WorkerEnvironment environment,
                          Path homes) {
        this.environment = environment;
        this.homes = homes;
        this.baseUrl = baseUrl;
        this.bundleDirs = bundleDirs;
        this.pythonLib = pythonLib;
        this.logDir = logDir;
        this.python = python;
        this.pingInterval = pingInterval;
        this.volumes = volumes;
        this.envPythons = envPythons;
    }

    /**
     * @throws WorkerStartException when a secret the manifest names cannot be given (removed, or sealed under
     *                              another key)
     */
    WorkerLaunch launch(FunctionVersion fn, Worker w, String token) {
        FunctionManifest m = fn.manifest();
        Path dir = bundleDirs.apply(fn);
        String base = baseUrl.get().toString().replaceAll("/$", "") + "/v2/" + fn.name();
        String gpuParam = w.gpus().isEmpty() ? "cpu" : w.gpus().getFirst().type();
        // later wins: the protocol's variables below are not the manifest's or a secret's to change
        Map<String, String> env = new LinkedHashMap<>();
        if (m.runtime() == Runtime.COMMAND) {
            env.putAll(COMMAND_DEFAULTS);
        }
        env.putAll(environment.inherited());
        // a HOME of the function's own, not the host's: nothing of ~/.runpod/config.toml and the like reaches the
        // workers, and what they cache there (~/.cache) outlives each worker
        env.put("HOME", home(fn.name()).toString());
        env.putAll(m.env());
        try {
            env.putAll(environment.secrets(m.secrets()));
        } catch (IllegalStateException e) {
            throw new WorkerStartException("cannot start a worker of " + fn.name() + ": " + e.getMessage(), e);
        }
        String query = "?gpu=" + gpuParam + "&" + TOKEN_PARAM + "=" + token;
        env.put("RUNPOD_WEBHOOK_GET_JOB", base + "/job-take/$ID" + query);
        env.put("RUNPOD_WEBHOOK_POST_OUTPUT", base + "/job-done/$RUNPOD_POD_ID/$ID" + query);
        env.put("RUNPOD_WEBHOOK_POST_STREAM", base + "/job-stream/$RUNPOD_POD_ID/$ID" + query);
        env.put("RUNPOD_WEBHOOK_PING", base + "/ping/$RUNPOD_POD_ID" + query);
        env.put("HEARTH_WEBHOOK_POST_OUTPUT_BATCH", base + "/job-done-batch/$RUNPOD_POD_ID" + query);
        env.put("RUNPOD_PING_INTERVAL", Long.toString(pingInterval.toMillis()));
        env.put("RUNPOD_AI_API_KEY", token);
        env.put("RUNPOD_POD_ID", w.id());
        env.put("RUNPOD_ENDPOINT_ID", fn.name());
        env.put("HEARTH_WORKER_ID", w.id());
        // where a worker on another machine fetches all of this (the Slurm runtime's bootstrap), and its node
        env.put("HEARTH_BOOT_URL", base + "/worker-boot/" + w.id());
        env.put("HEARTH_NODE", w.node());
        env.put("HEARTH_CONTROL_PLANE_PID", Long.toString(ProcessHandle.current().pid()));
        env.put("HEARTH_FUNCTION", fn.name());
        env.put("HEARTH_VERSION", Integer.toString(fn.version()));
        env.put("HEARTH_CONCURRENCY", Integer.toString(m.scaling().concurrency()));
        if (m.batch() != null) {
            env.put("HEARTH_BATCH_MAX_SIZE", Integer.toString(m.batch().maxSize()));
        }
        env.put("HEARTH_GPU_TYPE", w.gpus().isEmpty() ? "" : w.gpus().getFirst().type());
        env.put("HEARTH_GPU_IDS", w.gpus().stream().map(g -> Integer.toString(g.index()))
                .collect(Collectors.joining(",")));
        env.put("PYTHONUNBUFFERED", "1");
        env.putAll(volumes.environment(m));
        Optional<Path> envPython = envPythons.apply(fn);
        envPython.ifPresent(p -> {
            // the environment's bin first, as an activated virtualenv has it: `python` in a command is its python
            env.put("HEARTH_PYTHON", p.toString());
            env.put("VIRTUAL_ENV", p.getParent().getParent().toString());
            String path = System.getenv("PATH");
            env.put("PATH", p.getParent() + (path == null || path.isBlank() ? "" : ":" + path));
        });
        String python = envPython.map(Path::toString).orElse(this.python);
        List<String> command = new ArrayList<>();
        if (m.runtime() == Runtime.PYTHON) {
            env.put("HEARTH_HANDLER", m.handler());
            if (m.setup() != null) {
                env.put("HEARTH_SETUP", m.setup());
            }
            if (w.isPooled()) {
                // set up, then wait for GPUs (CUDA_VISIBLE_DEVICES is empty meanwhile): see hearth_worker._preinit
                env.put("HEARTH_PREINIT_WAIT", base + "/preinit-wait/$RUNPOD_POD_ID");
            }
            String existing = environment.inherited().get("PYTHONPATH");
            env.put("PYTHONPATH", pythonLib + ":" + dir + (existing == null || existing.isBlank() ? "" : ":" + existing));
            command.addAll(List.of(python, "-m", "hearth_worker", m.handler()));
        } else {
            command.addAll(m.command());
        }
        List<Gpu> gpus = w.gpus();
        // what a sandboxed worker sees of the data dir besides its bundle
        List<WorkerMount> mounts = new ArrayList<>();
        mounts.add(WorkerMount.readOnly(pythonLib.toAbsolutePath().normalize()));
        mounts.add(WorkerMount.writable(home(fn.name()).toAbsolutePath().normalize())); // the function's HOME
        envPython.ifPresent(p -> {
            mounts.add(WorkerMount.readOnly(p.getParent().getParent().toAbsolutePath().normalize()));
            // its python is a link to the interpreter it was made with, which a script may run by $HEARTH_PYTHON
            baseInstallation(p).ifPresent(mounts::add);
        });
        mounts.addAll(volumes.workerMounts(m));
        return new WorkerLaunch(w.id(), fn.name(), fn.version(), dir, command, env, gpus,
                logDir.resolve(fn.name()).resolve(w.id() + ".log"), mounts, m.image(), m.volumes());
    }

    /** The function's workers' HOME, made if missing. */
    private Path home(String function) {
        Path home = homes.resolve(function);
        try {
            java.nio.file.Files.createDirectories(home);
        } catch (java.io.IOException e) {
            throw new WorkerStartException("cannot make the workers' HOME " + home + ": " + e.getMessage(), e);
        }
        return home;
    }

    /** Where the interpreter a virtualenv's python leads to is installed, unless in the system's {@code /usr}. */
    private static Optional<WorkerMount> baseInstallation(Path envPython) {
        try {
            Path prefix = WorkerMount.installation(envPython.toRealPath());
            return prefix.startsWith("/usr") ? Optional.empty() : Optional.of(WorkerMount.readOnly(prefix));
        } catch (java.io.IOException e) {
            return Optional.empty(); // the environment is broken; starting its worker will say so
        }
    }

    /** Masks secret values in what the function's workers printed; for every log the API serves. */
    public UnaryOperator<String> logMask(String function) {
        return environment.masker(function);
    }

    /** The unpacked code bundle of the version. */
    Path bundleDir(FunctionVersion fn) {
        return bundleDirs.apply(fn);
    }

    /** Where a worker's stdout and stderr go. */
    public Path logDir(String function) {
        return logDir.resolve(function);
    }
}
