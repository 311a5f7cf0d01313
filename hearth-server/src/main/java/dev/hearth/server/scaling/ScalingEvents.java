package dev.hearth.server.scaling;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The recent scaling decisions of each function with their reasons, so nobody has to guess why a worker started. */
public final class ScalingEvents {

    public record Event(Instant at, String function, String reason) {
    }

    private static final int KEEP = 200;
    private final ConcurrentHashMap<String, ArrayDeque<Event>> byFunction = new ConcurrentHashMap<>();

    void record(String function, Instant at, String reason) {
        ArrayDeque<Event> q = byFunction.computeIfAbsent(function, f -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(new Event(at, function, reason));
            while (q.size() > KEEP) {
                q.removeFirst();
            }
        }
    }

    boolean lastReasonDiffers(String function, String reason) {
        ArrayDeque<Event> q = byFunction.get(function);
        if (q == null) {
            return true;
        }
        synchronized (q) {
            return q.isEmpty() || !q.peekLast().reason().equals(reason);
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
}
