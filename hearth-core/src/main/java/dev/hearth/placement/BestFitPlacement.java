package dev.hearth.placement;

import dev.hearth.functions.GpuRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Chooses GPUs for a worker: the first type in the request's preference list that has enough free GPUs on one node,
 * packed where that leaves the least free capacity behind (best fit), so that whole nodes and whole GPU groups stay
 * free for multi-GPU workers. Pure: the inventory, the GPUs in use and the nodes closed to new work are passed in.
 *
 * <p>GPU groups: a node's GPUs of one type form groups of {@value #GROUP_SIZE} in index order (an 8-GPU node is two
 * NVLink-style quads, a 2-GPU node one pair). A worker of up to {@value #GROUP_SIZE} GPUs goes into one group if any
 * group has room, choosing the group (then the node) with the fewest GPUs left free after it; only when no single
 * group has room does it span groups of one node. Larger workers take GPUs of one node, from the fullest groups first.
 * A worker never spans nodes.
 */
public final class BestFitPlacement {

    /** GPUs per group: the unit that small workers pack into and that multi-GPU workers prefer whole. */
    public static final int GROUP_SIZE = 4;

    public Placement place(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse) {
        return place(request, inventory, inUse, Set.of());
    }

    /**
     * @param closedNodes nodes that take no new workers (draining or drained)
     */
    public Placement place(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse, Set<String> closedNodes) {
        return place(request, inventory, inUse, closedNodes, Set.of());
    }

    /**
     * As {@link #place(GpuRequest, Collection, Set, Set)}, preferring the nodes that already hold what the worker
     * needs (its function's environment and code: a cold start there fetches and builds nothing). The preference
     * list of GPU types still comes first: a warm node is chosen among the nodes with free GPUs of the first type
     * that fits anywhere, and best fit decides among the warm nodes (or among all, when no warm node fits).
     *
     * @param warmNodes nodes whose cache holds the worker's environment and code
     */
    public Placement place(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse, Set<String> closedNodes,
                           Set<String> warmNodes) {
        Map<Gpu, String> groups = groups(inventory);
        for (String wanted : request.types()) {
            List<Gpu> free = inventory.stream()
                    .filter(g -> fits(g, wanted) && !inUse.contains(g) && !closedNodes.contains(g.node()))
                    .toList();
            List<Gpu> chosen = warmNodes.isEmpty() ? null : choose(request.count(),
                    free.stream().filter(g -> warmNodes.contains(g.node())).toList(), groups);
            if (chosen == null) {
                chosen = choose(request.count(), free, groups);
            }
            if (chosen != null) {
                return new Placement.Placed(chosen);
            }
        }
        return new Placement.Unplaceable(reason(request, inventory, inUse, closedNodes));
    }

    /** Whether the GPU is one the request would take (any type of its preference list). */
    public static boolean accepts(GpuRequest request, Gpu gpu) {
        return request.types().stream().anyMatch(t -> fits(gpu, t));
    }

    /** The group a GPU belongs to, e.g. {@code node-a/H100/0} for the first quad of node-a's H100s. */
    public static Map<Gpu, String> groups(Collection<Gpu> inventory) {
        Map<String, List<Gpu>> byNodeAndType = new TreeMap<>();
        for (Gpu g : inventory) {
            byNodeAndType.computeIfAbsent(g.node() + "/" + g.type(), k -> new ArrayList<>()).add(g);
        }
        Map<Gpu, String> groups = new HashMap<>();
        byNodeAndType.forEach((key, gpus) -> {
            gpus.sort(Comparator.comparingInt(Gpu::index));
            for (int i = 0; i < gpus.size(); i++) {
                groups.put(gpus.get(i), key + "/" + i / GROUP_SIZE);
            }
        });
        return groups;
    }

    private static List<Gpu> choose(int count, List<Gpu> free, Map<Gpu, String> groups) {
        Map<String, List<Gpu>> byNode = new TreeMap<>();
        Map<String, List<Gpu>> byGroup = new TreeMap<>();
        for (Gpu g : free) {
            byNode.computeIfAbsent(g.node(), k -> new ArrayList<>()).add(g);
            byGroup.computeIfAbsent(groups.get(g), k -> new ArrayList<>()).add(g);
        }
        if (count <= GROUP_SIZE) {
            var group = byGroup.values().stream().filter(l -> l.size() >= count)
                    .min(Comparator.<List<Gpu>>comparingInt(List::size)
                            .thenComparingInt(l -> byNode.get(l.getFirst().node()).size()));
            if (group.isPresent()) {
                return group.get().stream().sorted(Comparator.comparingInt(Gpu::index)).limit(count).toList();
            }
        }
        var node = byNode.values().stream().filter(l -> l.size() >= count)
                .min(Comparator.comparingInt(List::size));
        if (node.isEmpty()) {
            return null;
        }
        Map<String, Long> groupFree = node.get().stream()
                .collect(Collectors.groupingBy(groups::get, Collectors.counting()));
        return node.get().stream()
                .sorted(Comparator.<Gpu>comparingLong(g -> groupFree.get(groups.get(g))).thenComparingInt(Gpu::index))
                .limit(count).sorted(Comparator.comparingInt(Gpu::index)).toList();
    }

    private static boolean fits(Gpu gpu, String wanted) {
        boolean exact = wanted.endsWith("!");
        String type = exact ? wanted.substring(0, wanted.length() - 1) : wanted;
        return exact ? gpu.type().equalsIgnoreCase(type) : matches(gpu.type(), type);
    }

    /**
     * A type name matches the inventory's when equal ignoring case, or a prefix of it (A100 matches A100-80GB);
     * {@code A100!} pins the exact type; {@code any} matches every type.
     */
    static boolean matches(String inventoryType, String wanted) {
        String have = inventoryType.toUpperCase();
        String want = wanted.toUpperCase();
        return want.equalsIgnoreCase(dev.hearth.functions.GpuRequest.ANY) || have.equals(want)
                || have.startsWith(want + "-") || have.startsWith(want + " ");
    }

    private static String reason(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse,
                                 Set<String> closedNodes) {
        if (inventory.isEmpty()) {
            return "waiting for GPU: needs " + request + " but this cluster has no GPUs";
        }
        Map<String, Long> total = inventory.stream().collect(Collectors.groupingBy(Gpu::type, Collectors.counting()));
        Map<String, Long> free = inventory.stream().filter(g -> !inUse.contains(g) && !closedNodes.contains(g.node()))
                .collect(Collectors.groupingBy(Gpu::type, Collectors.counting()));
        String have = total.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + free.getOrDefault(e.getKey(), 0L) + "/" + e.getValue() + " free")
                .collect(Collectors.joining(", "));
        Set<String> closed = new java.util.TreeSet<>();
        inventory.stream().map(Gpu::node).filter(closedNodes::contains).forEach(closed::add);
        return "waiting for GPU: needs " + request + (request.count() > 1 ? " on one node" : "") + "; cluster has "
                + have + (closed.isEmpty() ? "" : "; closed for drain: " + String.join(", ", closed));
    }
}
