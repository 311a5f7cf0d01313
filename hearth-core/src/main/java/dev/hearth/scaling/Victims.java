package dev.hearth.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which workers go when a function scales down: never at random. Scale-down is a protocol (stop routing, let the jobs
 * finish, then stop), so the cheapest victims are the ones with the least work to finish.
 */
public final class Victims {

    /**
     * Starting workers first (no job yet), then the fewest jobs in flight, then the longest idle, then by id so that
     * the choice is deterministic.
     */
    static final Comparator<WorkerSnapshot> CHEAPEST_FIRST = Comparator
            .comparing((WorkerSnapshot w) -> w.phase() == WorkerPhase.STARTING ? 0 : 1)
            .thenComparingInt(WorkerSnapshot::inFlight)
            .thenComparing(WorkerSnapshot::idleSince, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(WorkerSnapshot::id);

    private Victims() {
    }

    /**
     * Up to {@code n} workers that must go now whatever they are doing (the limit was lowered below the count):
     * cheapest first.
     */
    public static List<WorkerSnapshot> forced(List<WorkerSnapshot> workers, int n) {
        return workers.stream().filter(w -> w.phase() != WorkerPhase.DRAINING).sorted(CHEAPEST_FIRST)
                .limit(Math.max(0, n)).toList();
    }

    /**
     * Up to {@code n} workers that are surplus to demand: only ready workers with no job that have been idle for at
     * least {@code idleTimeout}, longest idle first.
     */
    public static List<WorkerSnapshot> idle(List<WorkerSnapshot> workers, int n, Instant now, Duration idleTimeout) {
        // a loop, not a stream: while traffic flows this runs every round and usually finds no one
        // idle since at most `cutoff` is idle for at least idleTimeout (the same test as idleSince + idleTimeout <= now)
        Instant cutoff = now.minus(idleTimeout);
        List<WorkerSnapshot> idle = null;
        for (WorkerSnapshot w : workers) {
            if (w.phase() == WorkerPhase.READY && w.inFlight() == 0 && w.idleSince() != null
                    && !w.idleSince().isAfter(cutoff)) {
                if (idle == null) {
                    idle = new ArrayList<>();
                }
                idle.add(w);
            }
        }
        if (idle == null) {
            return List.of();
        }
        return idle.stream().sorted(CHEAPEST_FIRST).limit(Math.max(0, n)).toList();
    }
}
