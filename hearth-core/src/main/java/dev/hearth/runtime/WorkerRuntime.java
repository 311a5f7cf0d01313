package dev.hearth.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The port through which the control plane starts and stops worker processes: local processes, or jobs of a cluster
 * scheduler (Slurm) on other machines.
 */
public interface WorkerRuntime extends AutoCloseable {

    /**
     * Starts a worker. Returns once the process exists; {@code onExit} is called once, on some thread, when it ends
     * for any reason.
     *
     * @throws WorkerStartException if the process could not be started (missing program, bad work dir)
     */
    void start(WorkerLaunch launch, WorkerExitListener onExit);

    /**
     * Asks the worker to stop: SIGTERM now (it finishes in-flight jobs), SIGKILL once {@code grace} has passed.
     * Returns at once; unknown or already stopped workers are ignored.
     */
    void stop(String workerId, Duration grace);

    boolean isAlive(String workerId);

    /** The operating-system process id, where there is one. */
    OptionalLong pid(String workerId);

    /**
     * Whether each worker gets a filesystem view of its own (a mount namespace), where a volume can appear at an
     * absolute path such as {@code /models}. Without one, volumes appear as links inside the function's directory.
     */
    default boolean mountsAtAbsolutePaths() {
        return false;
    }

    /**
     * Where the cluster's scheduler has the worker, for runtimes whose scheduler chooses the GPUs and may make a
     * worker wait (Slurm); empty for runtimes that start workers at once where they are told.
     */
    default Optional<ScheduledWorker> scheduled(String workerId) {
        return Optional.empty();
    }

    /**
     * Whether the cluster's scheduler chooses and allocates each worker's GPUs at its start (Slurm's GRES): a process
     * started without GPUs can then never be given some later, so there are no pre-initialized workers.
     */
    default boolean allocatesGpusAtStart() {
        return false;
    }

    /**
     * Hearth drains ({@code true}) or undrains a node: a runtime whose nodes belong to a cluster scheduler tells it,
     * so that nothing else is placed there either. Runtimes that own their one machine ignore it.
     */
    default void nodeDraining(String node, boolean draining) {
    }

    /**
     * Workers a previous run of this control plane left running and this runtime can still reach (Slurm jobs survive
     * the control plane; local processes do not). Each is either {@link #adopt adopted} or {@link #stop stopped}.
     */
    default java.util.List<RunningWorker> leftovers() {
        return java.util.List.of();
    }

    /** Follows a worker of {@link #leftovers()} as if this runtime had started it; {@code onExit} as for start. */
    default void adopt(RunningWorker worker, WorkerExitListener onExit) {
        throw new UnsupportedOperationException("this runtime has no workers to adopt");
    }

    /** Stops every worker (SIGTERM, grace, SIGKILL) and waits until they are gone. */
    @Override
    void close();
}
