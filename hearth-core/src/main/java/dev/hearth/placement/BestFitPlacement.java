package dev.hearth.placement;

import dev.hearth.functions.GpuRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses GPUs for a worker: the first type in the request's preference list that has enough free GPUs on one node,
 * on the node where that leaves the fewest free GPUs of the type (best fit), so that whole nodes stay free for
 * multi-GPU workers. Pure: the inventory and the GPUs in use are passed in.
 */
public final class BestFitPlacement {

    public Placement place(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse) {
        for (String wanted : request.types()) {
            boolean exact = wanted.endsWith("!");
            String type = exact ? wanted.substring(0, wanted.length() - 1) : wanted;
            Map<String, List<Gpu>> freeByNode = new LinkedHashMap<>();
            for (Gpu gpu : inventory) {
                boolean fits = exact ? gpu.type().equalsIgnoreCase(type) : matches(gpu.type(), type);
                if (fits && !inUse.contains(gpu)) {
                    freeByNode.computeIfAbsent(gpu.node(), n -> new ArrayList<>()).add(gpu);
                }
            }
            var best = freeByNode.values().stream()
                    .filter(free -> free.size() >= request.count())
                    .min(Comparator.comparingInt(List::size));
            if (best.isPresent()) {
                List<Gpu> free = best.get();
                free.sort(Comparator.comparingInt(Gpu::index));
                return new Placement.Placed(free.subList(0, request.count()));
            }
        }
        return new Placement.Unplaceable(reason(request, inventory, inUse));
    }

    /**
     * A type name matches the inventory's when equal ignoring case, or a prefix of it (A100 matches A100-80GB);
     * {@code A100!} pins the exact type.
     */
    static boolean matches(String inventoryType, String wanted) {
        String have = inventoryType.toUpperCase();
        String want = wanted.toUpperCase();
        return have.equals(want) || have.startsWith(want + "-") || have.startsWith(want + " ");
    }

    private static String reason(GpuRequest request, Collection<Gpu> inventory, Set<Gpu> inUse) {
        if (inventory.isEmpty()) {
            return "waiting for GPU: needs " + request + " but this cluster has no GPUs";
        }
        Map<String, Long> total = inventory.stream().collect(Collectors.groupingBy(Gpu::type, Collectors.counting()));
        Map<String, Long> free = inventory.stream().filter(g -> !inUse.contains(g))
                .collect(Collectors.groupingBy(Gpu::type, Collectors.counting()));
        String have = total.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + free.getOrDefault(e.getKey(), 0L) + "/" + e.getValue() + " free")
                .collect(Collectors.joining(", "));
        return "waiting for GPU: needs " + request + "; cluster has " + have;
    }
}
