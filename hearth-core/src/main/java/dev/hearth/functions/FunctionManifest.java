package dev.hearth.functions;

import dev.hearth.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A function as declared in {@code hearth.yaml}. Built only by {@link ManifestParser}, which validates every field.
 *
 * @param handler        {@code file.py:function} for the Python runtime, else null
 * @param command        the program and its arguments for the command runtime, else empty
 * @param gpu            the GPUs per worker, or null for a CPU-only function
 * @param cpu            CPU cores per worker (advisory on the local runtime)
 * @param memoryBytes    memory per worker (advisory on the local runtime), 0 if not set
 * @param timeout        execution timeout per job, unless the job's policy says otherwise
 * @param startupTimeout how long a worker may take to ask for its first job before it is replaced
 * @param retries        further attempts after a failed one (worker crash and lease expiry count)
 * @param retryBackoff   how long a failed job waits in the queue before each retry ({@link Backoff#NONE}: none)
 * @param batch          dynamic batching, or null when each take hands over jobs as they come
 * @param priority       1..100 (default {@value ManifestParser#DEFAULT_PRIORITY}): the function's weight when GPUs
 *                       are scarce; see {@code dev.hearth.placement.FairShare}
 * @param schedule       submit a job at each tick of this cron schedule, or null
 * @param setup          {@code file.py:function} run once per worker before its first take, or null for the
 *                       handler module's own {@code setup()} if it has one (Python runtime only)
 * @param volumes        volume name to where the function's workers see it: an absolute path, or one relative to the
 *                       function's directory
 * @param python         the function's own Python environment, or null to run on the server's interpreter as is
 * @param secrets        names of stored secrets whose keys become environment variables of the workers
 * @param image          the container image of its workers where workers are containers ({@code --runtime
 *                       kubernetes}), or null for the runtime's default; other runtimes ignore it
 */
public record FunctionManifest(
        String name,
        Runtime runtime,
        String handler,
        List<String> command,
        Map<String, String> env,
        GpuRequest gpu,
        double cpu,
        long memoryBytes,
        ScalingConfig scaling,
        Duration timeout,
        Duration startupTimeout,
        int retries,
        Backoff retryBackoff,
        BatchConfig batch,
        int priority,
        FunctionSchedule schedule,
        String setup, Map<String, String> volumes,
        PythonEnv python, List<String> secrets, String image) {

    public FunctionManifest {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        retryBackoff = retryBackoff == null ? Backoff.NONE : retryBackoff;
    }
}
