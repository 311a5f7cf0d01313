package dev.hearth.server.releases;

import dev.hearth.releases.Release;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.util.function.Consumer;

/**
 * What a release change does to running things, as a rolling release: queued jobs move to the lane of the version
 * they now run on; workers of versions no longer released are drained (they take no new job, finish those they run,
 * then stop); the scaling loop runs at once to start workers of the new version.
 */
public final class RollingRelease implements Consumer<Release> {

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final Runnable nudgeScaling;

    public RollingRelease(FunctionRegistry functions, JobService jobs, WorkerPool pool, Runnable nudgeScaling) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.nudgeScaling = nudgeScaling;
    }

    @Override
    public void accept(Release release) {
        jobs.releaseChanged(release.function());
        for (Worker w : pool.workers(release.function())) {
            if (functions.laneOfWorker(w.function(), w.version()).isEmpty()) {
                pool.drain(w);
            }
        }
        nudgeScaling.run();
    }
}
