package dev.hearth.server.workers;

import dev.hearth.errors.HearthException;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.NodeState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The nodes the control plane places workers on, and whether each takes new ones. The nodes are those of the GPU
 * inventory (one, {@code local}, when it has no GPUs); a cluster's scheduler (Slurm) may add and remove nodes later,
 * which {@link #follow} takes in.
 */
public final class Nodes {

    /** A node's drain state; {@code graceEndsAt} is set while it drains. */
    public record Status(String name, NodeState state, Instant graceEndsAt) {
    }

    private volatile List<String> names;
    private final Map<String, Status> states = new ConcurrentHashMap<>();

    Nodes(List<Gpu> inventory) {
        this.names = namesOf(inventory);
        names.forEach(n -> states.put(n, new Status(n, NodeState.ACTIVE, null)));
    }

    private static List<String> namesOf(List<Gpu> inventory) {
        List<String> fromGpus = inventory.stream().map(Gpu::node).distinct().toList();
        return fromGpus.isEmpty() ? List.of("local") : fromGpus;
    }

    /**
     * Takes the inventory's nodes as they are now: a new node takes workers at once, a node gone from it is
     * forgotten (its workers, if any, end as their runtime reports).
     *
     * @return whether the nodes changed
     */
    synchronized boolean follow(List<Gpu> inventory) {
        List<String> now = namesOf(inventory);
        if (now.equals(names)) {
            return false;
        }
        now.forEach(n -> states.putIfAbsent(n, new Status(n, NodeState.ACTIVE, null)));
        names = now;
        states.keySet().retainAll(Set.copyOf(now));
        return true;
    }

    public List<Status> all() {
        return names.stream().map(states::get).filter(java.util.Objects::nonNull).toList();
    }

    public Status require(String node) {
        Status s = states.get(node);
        if (s == null) {
            throw new HearthException.NotFound("no node '" + node + "'; nodes are " + String.join(", ", names));
        }
        return s;
    }

    /** The node's status, or null when there is no such node. */
    Status find(String node) {
        return states.get(node);
    }

    /** Nodes that take no new workers. */
    public Set<String> closed() {
        return states.values().stream().filter(s -> s.state() != NodeState.ACTIVE).map(Status::name)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** The open node with the fewest workers, for a CPU worker; null when every node drains. */
    String forCpuWorker(Map<String, Long> workersPerNode) {
        return names.stream().filter(n -> states.get(n).state() == NodeState.ACTIVE)
                .min(java.util.Comparator.comparingLong(n -> workersPerNode.getOrDefault(n, 0L))).orElse(null);
    }

    void draining(String node, Instant graceEndsAt) {
        require(node);
        states.put(node, new Status(node, NodeState.DRAINING, graceEndsAt));
    }

    void drained(String node) {
        states.computeIfPresent(node, (n, s) -> s.state() == NodeState.DRAINING ? new Status(n, NodeState.DRAINED,
                null) : s);
    }

    void activate(String node) {
        require(node);
        states.put(node, new Status(node, NodeState.ACTIVE, null));
    }
}
