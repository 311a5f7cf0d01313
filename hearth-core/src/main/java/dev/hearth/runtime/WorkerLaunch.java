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
 */
public record WorkerLaunch(String workerId, String function, int version, Path workDir, List<String> command,
                           Map<String, String> env, List<Gpu> gpus, Path logFile, List<WorkerMount> mounts) {

    public WorkerLaunch {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        gpus = List.copyOf(gpus);
        mounts = List.copyOf(mounts);
    }

    /** A launch that needs nothing of the host beyond its work dir. */
    public WorkerLaunch(String workerId, String function, int version, Path workDir, List<String> command,
                        Map<String, String> env, List<Gpu> gpus, Path logFile) {
        this(workerId, function, version, workDir, command, env, gpus, logFile, List.of());
    }
}
