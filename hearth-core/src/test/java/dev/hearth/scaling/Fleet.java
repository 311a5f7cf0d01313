package dev.hearth.scaling;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A scripted set of workers for autoscaler tests: applies decisions the way the server does (started workers become
 * ready at once in these tests; drained ones disappear), so a test can replay a load trace round by round.
 */
final class Fleet {

    private final List<WorkerSnapshot> workers = new ArrayList<>();
    private int next;

    List<WorkerSnapshot> workers() {
        return List.copyOf(workers);
    }

    int size() {
        return workers.size();
    }

    Fleet ready(int n, Instant idleSince) {
        for (int i = 0; i < n; i++) {
            workers.add(new WorkerSnapshot("w" + next++, WorkerPhase.READY, 0, idleSince, idleSince));
        }
        return this;
    }

    /** Applies a decision: new workers are ready and idle from {@code now}; drained ones are gone. */
    void apply(ScalingDecision d, Instant now) {
        ready(d.start(), now);
        workers.removeIf(w -> d.drain().contains(w.id()));
    }

    /** Spreads {@code inFlight} jobs over the workers (at most {@code perWorker} each); the rest idle since now. */
    void busy(int inFlight, int perWorker, Instant now) {
        List<WorkerSnapshot> out = new ArrayList<>();
        int left = inFlight;
        for (WorkerSnapshot w : workers) {
            int n = Math.min(perWorker, left);
            left -= n;
            Instant idle = n > 0 ? null : w.idleSince() != null ? w.idleSince() : now;
            out.add(new WorkerSnapshot(w.id(), WorkerPhase.READY, n, w.startedAt(), idle));
        }
        workers.clear();
        workers.addAll(out);
    }
}
