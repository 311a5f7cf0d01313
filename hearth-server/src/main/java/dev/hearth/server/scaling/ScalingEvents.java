package dev.hearth.server.scaling;

import dev.hearth.scaling.ScalingDecision;
import dev.hearth.scaling.ScalingInputs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The recent scaling decisions of each function with their inputs and reasons, so nobody has to guess why a worker
 * started. Bounded: the last {@value #KEEP} per function, none older than {@link #MAX_AGE}. Repeated holds for the
 * same cause are kept once.
 */
public final class ScalingEvents {

    /**
     * One decision.
     *
     * @param action  {@code scale-up}, {@code scale-down} or {@code hold}
     * @param started workers started (may be fewer than asked when GPUs ran out)
     * @param drained workers drained (they finish their jobs, then stop)
     * @param why     the short cause, e.g. {@code panic}, {@code idle}, {@code scale from zero}
     * @param reason  the whole story in words
     */
    public record Event(Instant at, String function, String action, int started, List<String> drained, int desired,
                        boolean panic, String why, String reason, ScalingInputs inputs) {

        public Event {
            drained = List.copyOf(drained);
        }

        /** Workers added (positive) or drained (negative). */
        public int delta() {
            return started - drained.size();
        }
    }

    static final int KEEP = 200;
    static final Duration MAX_AGE = Duration.ofHours(1);
    private final ConcurrentHashMap<String, ArrayDeque<Event>> byFunction = new ConcurrentHashMap<>();

    /**
     * Records a decision as applied, unless it is a hold for the same cause as the last event.
     *
     * @param label the release lane while a function is split ({@code canary v3: }), else empty
     */
    void record(Instant at, ScalingDecision d, int started, String label, String outcome) {
        String reason = label + d.reason() + outcome;
        String why = label + d.why() + (outcome.isEmpty() ? "" : " (blocked)");
        ArrayDeque<Event> q = byFunction.computeIfAbsent(d.function(), f -> new ArrayDeque<>());
        synchronized (q) {
            boolean acted = started > 0 || !d.drain().isEmpty();
            if (!acted && !q.isEmpty() && q.peekLast().why().equals(why)) {
                return;
            }
            String action = started > 0 ? "scale-up" : !d.drain().isEmpty() ? "scale-down" : "hold";
            q.addLast(new Event(at, d.function(), action, started, d.drain(), d.desired(), d.panic(), why, reason,
                    d.inputs()));
            while (q.size() > KEEP || q.peekFirst().at().isBefore(at.minus(MAX_AGE))) {
                q.removeFirst();
            }
        }
    }

    /**
     * Records what the fair-share arbiter did to a function (a worker given back for another function): not an
     * autoscaler decision, so it has no inputs of its own.
     */
    void note(String function, Instant at, String action, List<String> drained, String reason) {
        ArrayDeque<Event> q = byFunction.computeIfAbsent(function, f -> new ArrayDeque<>());
        synchronized (q) {
            int desired = q.isEmpty() ? 0 : q.peekLast().desired();
            q.addLast(new Event(at, function, action, 0, drained, desired, false, action, reason, null));
            while (q.size() > KEEP || q.peekFirst().at().isBefore(at.minus(MAX_AGE))) {
                q.removeFirst();
            }
        }
    }

    /** Newest last. */
    public List<Event> recent(String function) {
        ArrayDeque<Event> q = byFunction.get(function);
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            return List.copyOf(q);
        }
    }

    /** Forgets a deleted function's events. */
    public void forget(String function) {
        byFunction.remove(function);
    }
}
