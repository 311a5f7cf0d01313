package dev.hearth.server.workers;

/**
 * What the worker pool tells the owner of the jobs about its workers. A port owned by the pool and implemented by
 * the job service (wired in {@code HearthServer}), so that the pool does not depend on the jobs package: the jobs
 * package depends on the workers package, never the other way.
 */
public interface WorkerEvents {

    /** Nobody is told: a pool wired to no job service (none is started before the wiring). */
    WorkerEvents NONE = new WorkerEvents() {
        @Override
        public void workerLost(Worker worker, String reason) {
        }

        @Override
        public int handBack(Worker worker, String reason) {
            return 0;
        }

        @Override
        public int failQueued(String function, int version, String error) {
            return 0;
        }

        @Override
        public void wake(String function) {
        }
    };

    /** The worker is gone (its process exited, or it was replaced) while it held jobs: they go back or fail. */
    void workerLost(Worker worker, String reason);

    /**
     * The worker's node was drained and its grace period is over: its jobs go back to the queue without using a
     * retry. Returns how many went back.
     */
    int handBack(Worker worker, String reason);

    /** The version is crash looping: its queued jobs fail with the error. Returns how many failed. */
    int failQueued(String function, int version, String error);

    /** A worker of the function is draining or stopping: its waiting long-polls should return at once. */
    void wake(String function);
}
