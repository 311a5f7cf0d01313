package dev.hearth.server.scaling;

import dev.hearth.fleet.FleetPlan;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.placement.RepackPlan;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Applies a round's {@link FleetPlan} to the worker pool: the decisions are the core planner's, this class only
 * carries them out and records the fair-share events. Used by the scaling loop's thread only.
 */
final class PlanApplier {

    private static final Logger LOG = Logger.getLogger(PlanApplier.class.getName());

    private final WorkerPool pool;
    private final ScalingEvents events;
    private final InstantSource clock;

    PlanApplier(WorkerPool pool, ScalingEvents events, InstantSource clock) {
        this.pool = pool;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Carries the plan out; returns how many workers each lane (by key) got.
     *
     * @param versions the version each lane's starts are of, by lane key
     */
    Map<String, Integer> apply(FleetPlan plan, Map<String, FunctionVersion> versions) {
        Map<String, Integer> started = new HashMap<>();
        Set<String> failed = new HashSet<>();
        plan.lacking().forEach(pool::noteLackingGpus);
        for (FleetPlan.Action action : plan.actions()) {
            switch (action) {
                case FleetPlan.Drain d -> pool.worker(d.workerId()).filter(w -> !w.isDraining()).ifPresent(pool::drain);
                case FleetPlan.Start s -> {
                    // a start that failed (the process did not launch) fails the lane's other starts the same way
                    if (!failed.contains(s.key())) {
                        if (pool.start(versions.get(s.key()), s.gpus()).isPresent()) {
                            started.merge(s.key(), 1, Integer::sum);
                        } else {
                            failed.add(s.key());
                        }
                    }
                }
                case FleetPlan.Yield y -> pool.worker(y.workerId()).ifPresent(w -> yielded(w, y));
                case FleetPlan.Repack r -> repack(r);
            }
        }
        return started;
    }

    private void yielded(Worker w, FleetPlan.Yield y) {
        pool.drain(w);
        Instant now = clock.instant();
        events.note(w.function(), now, "fair-share", List.of(w.id()), "fair share: worker " + w.id()
                + " gives its GPUs to " + y.forFunction() + " (priority " + y.forPriority()
                + ") once its jobs are done");
        events.note(y.forFunction(), now, "fair-share", List.of(), "fair share: " + w.function()
                + " gives worker " + w.id() + " back for this function");
    }

    /** Drains each moved worker and starts its replacement (its function's latest version) where the plan says. */
    private void repack(FleetPlan.Repack r) {
        LOG.info(r.reason() + " for " + r.function());
        for (RepackPlan.Move m : r.plan().moves()) {
            pool.worker(m.workerId()).ifPresent(w -> {
                pool.drain(w);
                pool.functionVersion(m.function()).ifPresent(fn -> pool.start(fn, m.to()));
            });
        }
    }
}
