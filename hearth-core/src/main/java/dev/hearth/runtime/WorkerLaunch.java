package dev.hearth.runtime;

import dev.hearth.placement.Gpu;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a runtime needs to start one worker process.
 *
 * @param workDir the unpacked code bundle of the function version; the process starts there
 * @param command the program and its arguments
 * @param env     the whole environment of the process (the worker protocol's variables among them): nothing of the
 *                control plane's own environment is added; {@code CUDA_VISIBLE_DEVICES} is set by the runtime from
 *                {@code gpus}
 * @param gpus    the GPUs placed for this worker, empty for CPU-only functions
 * @param logFile where the process's stdout and stderr go
 * @param mounts  what else of the host the worker needs to see (its environment, the worker library, its volumes);
 *                the work dir is always shown, read-only
 * @param image   the manifest's container image, or null: for runtimes whose workers are containers (Kubernetes)
 * @param volumes the manifest's volumes (name to path), for runtimes that attach them themselves (Kubernetes, as
 *                PersistentVolumeClaims) rather than through {@code mounts}
 */
public record WorkerLaunch(String workerId, String function, int version, Path workDir, List<String> command,
                           Map<String, String> env, List<Gpu> gpus, Path logFile, List<WorkerMount> mounts,
                           String image, Map<String, String> volumes) {

    public WorkerLaunch {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        gpus = List.copyOf(gpus);
        mounts = List.copyOf(mounts);
        volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
    }

    /** A launch without a container image or volumes of its own. */
    public WorkerLaunch(String workerId, String function, int version, Path workDir, List<String> command,
                        Map<String, String> env, List<Gpu> gpus, Path logFile, List<WorkerMount> mounts) {
        this(workerId, function, version, workDir, command, env, gpus, logFile, mounts, null, Map.of());
    }

    /** A launch that needs nothing of the host beyond its work dir. */
    public WorkerLaunch(String workerId, String function, int version, Path workDir, List<String> command,
                        Map<String, String> env, List<Gpu> gpus, Path logFile) {
        this(workerId, function, version, workDir, command, env, gpus, logFile, List.of());
    }
}
