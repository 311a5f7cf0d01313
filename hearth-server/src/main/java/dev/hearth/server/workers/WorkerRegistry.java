package dev.hearth.server.workers;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The live workers, by id and by token. Shared by the job service and the worker pool; no policy here. */
public final class WorkerRegistry {

    private final ConcurrentHashMap<String, Worker> byId = new ConcurrentHashMap<>();

    void add(Worker worker) {
        byId.put(worker.id(), worker);
    }

    void remove(String workerId) {
        byId.remove(workerId);
    }

    public Optional<Worker> find(String workerId) {
        return Optional.ofNullable(byId.get(workerId));
    }

    /**
     * The worker with this id, if the token is its own and it belongs to the function; the worker protocol's
     * authentication.
     */
    public Optional<Worker> authenticate(String function, String workerId, String token) {
        Worker w = byId.get(workerId);
        if (w == null || token == null || !w.function().equals(function)
                || !java.security.MessageDigest.isEqual(w.token().getBytes(), token.getBytes())) {
            return Optional.empty();
        }
        return Optional.of(w);
    }

    public List<Worker> ofFunction(String function) {
        return byId.values().stream().filter(w -> w.function().equals(function)).toList();
    }

    public Collection<Worker> all() {
        return List.copyOf(byId.values());
    }
}
