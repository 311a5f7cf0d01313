package dev.hearth.runtime.boot;

import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerStartException;
import java.io.IOException;
import java.nio.file.Files;

/**
 * What a worker started on another machine (a Slurm job, a Kubernetes pod) needs from its launch: the URL its
 * bootstrap fetches the rest from and the worker's own token. Both runtimes check a launch the same way before they
 * submit anything, so that a launch they cannot boot fails with the same message.
 *
 * @param what    the start of every failure message for this worker ({@code cannot start worker w-1 of function
 *                echo: })
 * @param bootUrl the control plane's URL for this worker's launch
 * @param token   the worker's token, which the bootstrap presents
 */
public record RemoteBoot(String what, String bootUrl, String token) {

    /**
     * Checks a launch and makes its log file's directory (the control plane appends what the worker sends there).
     *
     * @param closed whether the runtime is shutting down, which refuses every start
     * @throws WorkerStartException when the runtime is closed, the launch lacks its boot URL or token, or the log
     *                              directory cannot be made
     */
    public static RemoteBoot of(WorkerLaunch launch, boolean closed) {
        String what = "cannot start worker " + launch.workerId() + " of function " + launch.function() + ": ";
        if (closed) {
            throw new WorkerStartException(what + "the runtime is shutting down", null);
        }
        String bootUrl = launch.env().get("HEARTH_BOOT_URL");
        String token = launch.env().get("RUNPOD_AI_API_KEY");
        if (bootUrl == null || token == null) {
            throw new WorkerStartException(what + "the launch has no HEARTH_BOOT_URL or worker token", null);
        }
        try {
            Files.createDirectories(launch.logFile().toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new WorkerStartException(what + "cannot create log directory: " + e.getMessage(), e);
        }
        return new RemoteBoot(what, bootUrl, token);
    }
}
