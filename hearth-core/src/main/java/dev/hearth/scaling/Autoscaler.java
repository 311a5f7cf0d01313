package dev.hearth.scaling;

import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Autoscaler v0: desired workers = ceil((queued + in flight) / concurrency), within [minWorkers, maxWorkers]. The
 * first queued job at zero workers starts one at once. Workers idle for longer than {@code idleTimeout} are drained,
 * the longest idle first, but never below the desired count. Low-priority jobs never add workers.
 *
 * <p>Pure: a function of the snapshot and the injected clock, so the planner can replay traces against it.
 */
public final class Autoscaler {

    private final InstantSource clock;

    public Autoscaler(InstantSource clock) {
        this.clock = clock;
    }

    public ScalingDecision decide(FunctionLoad load) {
        Instant now = clock.instant();
        ScalingConfig cfg = load.config();
        List<WorkerSnapshot> active = load.workers().stream().filter(w -> w.phase() != WorkerPhase.DRAINING).toList();
        int demand = load.queued() + load.inFlight();
        int wanted = (demand + cfg.concurrency() - 1) / cfg.concurrency();
        int desired = Math.clamp(wanted, cfg.minWorkers(), cfg.maxWorkers());
        String inputs = "queue " + load.queued()
                + (load.queuedLowPriority() > 0 ? " (+" + load.queuedLowPriority() + " low priority)" : "")
                + ", in flight " + load.inFlight() + ", workers " + active.size() + ", concurrency "
                + cfg.concurrency();

        if (desired > active.size()) {
            int start = desired - active.size();
            String why = active.isEmpty() && load.queued() > 0 ? "scale from zero"
                    : desired == cfg.minWorkers() && wanted < cfg.minWorkers() ? "keep minWorkers " + cfg.minWorkers()
                    : "demand";
            return new ScalingDecision(load.function(), start, List.of(),
                    inputs + " → desired " + desired + ": +" + start + " (" + why + ")");
        }

        Duration idleTimeout = cfg.idleTimeout();
        List<WorkerSnapshot> idleLongEnough = new ArrayList<>(active.stream()
                .filter(w -> w.phase() == WorkerPhase.READY && w.inFlight() == 0 && w.idleSince() != null
                        && !w.idleSince().plus(idleTimeout).isAfter(now))
                .sorted(Comparator.comparing(WorkerSnapshot::idleSince).thenComparing(WorkerSnapshot::id))
                .toList());
        int surplus = active.size() - desired;
        if (surplus > 0 && !idleLongEnough.isEmpty()) {
            List<String> drain = idleLongEnough.subList(0, Math.min(surplus, idleLongEnough.size())).stream()
                    .map(WorkerSnapshot::id).toList();
            return new ScalingDecision(load.function(), 0, drain,
                    inputs + " → desired " + desired + ": -" + drain.size() + " (idle for "
                            + idleTimeout.toMillis() + " ms)");
        }
        return new ScalingDecision(load.function(), 0, List.of(), inputs + " → desired " + desired + ": hold");
    }
}
