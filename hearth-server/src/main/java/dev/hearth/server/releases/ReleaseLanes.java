package dev.hearth.server.releases;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scaling loop scales: one unit per function, or, while a canary runs, one per released version, each with
 * its own lane's queue and workers, so that both versions scale to their share of the demand.
 */
public final class ReleaseLanes {

    /**
     * One released version to scale.
     *
     * @param label prefixes its scaling reasons while the function is split ("canary v3: "), else empty
     */
    public record Scaled(FunctionVersion version, Lane lane, JobService.QueueStats stats, List<Worker> workers,
                         String label) {

        /** Names the lane: the function and, while it is split, which version of its release. */
        public String key() {
            return version.name() + "/" + lane;
        }
    }

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;

    public ReleaseLanes(FunctionRegistry functions, JobService jobs, WorkerPool pool) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
    }

    /** Every function's released versions with their demand and workers, now. */
    public List<Scaled> current() {
        List<Scaled> out = new ArrayList<>();
        for (FunctionVersion active : functions.all()) {
            FunctionVersion canary = functions.canary(active.name()).orElse(null);
            if (canary == null) {
                // one lane: every queued job and every worker, as if releases did not exist
                out.add(new Scaled(active, Lane.STABLE, jobs.stats(active.name()), pool.workers(active.name()), ""));
                continue;
            }
            List<Worker> all = pool.workers(active.name());
            out.add(scaled(active, Lane.STABLE, all, "stable v" + active.version() + ": "));
            out.add(scaled(canary, Lane.CANARY, all, "canary v" + canary.version() + ": "));
        }
        return out;
    }

    private Scaled scaled(FunctionVersion v, Lane lane, List<Worker> all, String label) {
        List<Worker> workers = all.stream()
                .filter(w -> functions.laneOfJob(v.name(), w.version()) == lane).toList();
        return new Scaled(v, lane, jobs.stats(v.name(), v.version()), workers, label);
    }
}
