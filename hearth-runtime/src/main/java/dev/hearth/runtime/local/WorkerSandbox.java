package dev.hearth.runtime.local;

import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerStartException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a local worker's process is confined: in a bubblewrap sandbox ({@link Bubblewrap}), not at all (the operator
 * chose {@code --unsafe-no-sandbox}), or not runnable because the sandbox is missing and nobody said to run without it.
 */
public sealed interface WorkerSandbox permits Bubblewrap, WorkerSandbox.Unsandboxed, WorkerSandbox.Unavailable {

    /** The process to start for a launch. */
    record Invocation(List<String> command, Map<String, String> env) {

        public Invocation {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }
    }

    /**
     * The command line and environment that run the launch's command inside this sandbox.
     *
     * @param env the worker's whole environment, worker id and GPUs included
     * @throws WorkerStartException when the worker cannot be run (the message says why, without naming the worker)
     */
    Invocation invocation(WorkerLaunch launch, Map<String, String> env);

    /**
     * The process that gets SIGTERM when the worker is asked to stop: the launch's program, which may run below the
     * process that was started (a sandbox does not pass signals on).
     */
    default ProcessHandle program(ProcessHandle started) {
        return started;
    }

    /** Called once the worker's process has exited: what the sandbox made for it can go. */
    default void exited(String workerId) {
    }

    /** Whether each worker gets a file system view of its own, where a directory can appear at another path. */
    default boolean isolates() {
        return false;
    }

    /** One line for the start-up log: what confines workers, or why none can run. */
    String describe();

    /** Workers run as plain child processes that see everything the server's user sees. */
    static WorkerSandbox unsandboxed() {
        return Unsandboxed.INSTANCE;
    }

    /** Runs launches as they are. */
    enum Unsandboxed implements WorkerSandbox {
        INSTANCE;

        @Override
        public Invocation invocation(WorkerLaunch launch, Map<String, String> env) {
            for (var mount : launch.mounts()) {
                if (!mount.source().equals(mount.target())) {
                    throw new WorkerStartException("it needs " + mount.source() + " shown at " + mount.target()
                            + ", which only a sandboxed worker can have (the server runs with --unsafe-no-sandbox)",
                            null);
                }
            }
            return new Invocation(launch.command(), env);
        }

        @Override
        public String describe() {
            return "UNSANDBOXED (--unsafe-no-sandbox): every worker can read the data dir (the store, client.json "
                    + "with the API key, secret.key) and the other workers' processes";
        }
    }

    /** The sandbox is wanted but cannot run here: every start fails with {@code reason}. */
    record Unavailable(String reason) implements WorkerSandbox {

        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Invocation invocation(WorkerLaunch launch, Map<String, String> env) {
            throw new WorkerStartException(reason, null);
        }

        @Override
        public String describe() {
            return "NOT RUNNING: " + reason;
        }
    }
}
