package dev.hearth.server;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.SubmitGate;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;

/**
 * The worker pool as a listener of job events, and its crash loops as a submit gate: wiring kept here so that the
 * workers package never depends on the jobs package (the job service tells the pool back through its
 * {@link dev.hearth.server.workers.WorkerEvents} port).
 */
final class PoolJobEvents implements JobEvents {

    private final WorkerPool pool;

    PoolJobEvents(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public void started(Job job, Worker worker) {
        pool.jobStarted(job, worker);
    }

    @Override
    public void retireWorker(Worker worker, String reason) {
        pool.retireWorker(worker, reason);
    }

    @Override
    public void drainWorker(Worker worker, String reason) {
        pool.drainWorker(worker, reason);
    }

    /** Refuses new jobs (and retries) for a crash-looping version with a 503 that carries its error. */
    static SubmitGate crashLoopGate(WorkerPool pool) {
        return new SubmitGate() {
            @Override
            public void admit(Job job, FunctionVersion fn) {
                pool.crashLoop(fn.name(), fn.version()).ifPresent(loop -> {
                    throw new HearthException.Unavailable(loop.error());
                });
            }

            @Override
            public void release(Job job) {
            }
        };
    }
}
