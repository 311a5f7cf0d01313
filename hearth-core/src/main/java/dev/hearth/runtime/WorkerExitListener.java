package dev.hearth.runtime;

/** Told when a worker process has ended. */
@FunctionalInterface
public interface WorkerExitListener {

    void exited(String workerId, int exitCode);
}
