package dev.hearth.server.workers;

import dev.hearth.scaling.ColdStartPhases;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The phases of each function's recent cold starts, for its stats, and their listeners (metrics). In memory only:
 * the last {@value #KEEP} per function, so that no schema change is needed; each job's timeline keeps its own
 * worker's phases in the store.
 */
public final class ColdStarts {

    /** One cold start: a worker of {@code function} took its first job at {@code at}. */
    public record ColdStart(String function, String workerId, Instant at, ColdStartPhases phases) {
    }

    static final int KEEP = 1000;
    private final ConcurrentHashMap<String, ArrayDeque<ColdStart>> byFunction = new ConcurrentHashMap<>();
    private final List<Consumer<ColdStart>> listeners = new CopyOnWriteArrayList<>();

    /** Tells {@code listener} of each cold start from now on. */
    public void listen(Consumer<ColdStart> listener) {
        listeners.add(listener);
    }

    void record(ColdStart c) {
        ArrayDeque<ColdStart> q = byFunction.computeIfAbsent(c.function(), f -> new ArrayDeque<>());
        synchronized (q) {
            q.addLast(c);
            if (q.size() > KEEP) {
                q.removeFirst();
            }
        }
        listeners.forEach(l -> l.accept(c));
    }

    /** The function's cold starts at or after {@code since}, oldest first. */
    public List<ColdStart> since(String function, Instant since) {
        ArrayDeque<ColdStart> q = byFunction.get(function);
        if (q == null) {
            return List.of();
        }
        synchronized (q) {
            return q.stream().filter(c -> !c.at().isBefore(since)).toList();
        }
    }
}
