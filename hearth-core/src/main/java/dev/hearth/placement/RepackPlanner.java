package dev.hearth.placement;

import dev.hearth.functions.GpuRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Defragments GPUs for a worker that cannot be placed because smaller workers are scattered over the nodes: finds the
 * fewest idle workers whose move (drain, then a replacement elsewhere) frees room for it on one node. Busy workers are
 * never moved, and a plan is only returned when every moved worker's replacement fits on GPUs that are free now and
 * outside the freed room, so no function loses a worker for good. Pure.
 */
public final class RepackPlanner {

    private final BestFitPlacement placement = new BestFitPlacement();

    /**
     * @param request     the worker that does not fit
     * @param occupants   every worker holding GPUs
     * @param closedNodes nodes that take no new workers
     * @return the plan with the fewest moves (then the fewest GPUs moved), or empty if the request fits already or no
     *         plan of idle workers makes it fit
     */
    public Optional<RepackPlan> plan(GpuRequest request, Collection<Gpu> inventory, List<Occupant> occupants,
                                     Set<String> closedNodes) {
        Set<Gpu> inUse = new HashSet<>();
        occupants.forEach(o -> inUse.addAll(o.gpus()));
        if (placement.place(request, inventory, inUse, closedNodes) instanceof Placement.Placed) {
            return Optional.empty();
        }
        RepackPlan best = null;
        for (String node : inventory.stream().map(Gpu::node).distinct().sorted().toList()) {
            if (closedNodes.contains(node)) {
                continue;
            }
            RepackPlan p = planOnNode(node, request, inventory, occupants, inUse, closedNodes);
            if (p != null && (best == null || cost(p) < cost(best))) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }

    private RepackPlan planOnNode(String node, GpuRequest request, Collection<Gpu> inventory,
                                  List<Occupant> occupants, Set<Gpu> inUse, Set<String> closedNodes) {
        List<Gpu> local = inventory.stream().filter(g -> g.node().equals(node)).toList();
        // Candidates: idle workers on this node holding GPUs the request could use; biggest first, fewest moves.
        List<Occupant> movable = occupants.stream()
                .filter(o -> o.idle() && !o.gpus().isEmpty() && o.gpus().getFirst().node().equals(node))
                .filter(o -> o.gpus().stream().anyMatch(g -> BestFitPlacement.accepts(request, g)))
                .sorted(Comparator.<Occupant>comparingLong(o -> o.gpus().stream()
                        .filter(g -> BestFitPlacement.accepts(request, g)).count()).reversed()
                        .thenComparing(Occupant::workerId))
                .toList();
        Set<Gpu> freed = new HashSet<>(inUse);
        List<Occupant> moved = new ArrayList<>();
        for (Occupant o : movable) {
            o.gpus().forEach(freed::remove);
            moved.add(o);
            if (placement.place(request, local, freed, closedNodes) instanceof Placement.Placed) {
                List<Occupant> needed = prune(request, local, inUse, moved, closedNodes);
                Set<Gpu> free = new HashSet<>(inUse);
                needed.forEach(n -> n.gpus().forEach(free::remove));
                var target = ((Placement.Placed) placement.place(request, local, free, closedNodes)).gpus();
                return replacements(target, needed, inventory, inUse, closedNodes);
            }
        }
        return null;
    }

    /** Drops moves that turned out unnecessary (a big worker taken first may make a smaller one's move moot). */
    private List<Occupant> prune(GpuRequest request, List<Gpu> local, Set<Gpu> inUse, List<Occupant> moved,
                                 Set<String> closedNodes) {
        List<Occupant> needed = new ArrayList<>(moved);
        for (Occupant o : moved.reversed()) {
            List<Occupant> without = new ArrayList<>(needed);
            without.remove(o);
            Set<Gpu> free = new HashSet<>(inUse);
            without.forEach(w -> w.gpus().forEach(free::remove));
            if (placement.place(request, local, free, closedNodes) instanceof Placement.Placed) {
                needed = without;
            }
        }
        return needed;
    }

    /** Places each moved worker's replacement on GPUs free now, outside the target; null if one does not fit. */
    private RepackPlan replacements(List<Gpu> target, List<Occupant> moved, Collection<Gpu> inventory,
                                    Set<Gpu> inUse, Set<String> closedNodes) {
        Set<Gpu> taken = new HashSet<>(inUse);
        taken.addAll(target);
        List<RepackPlan.Move> moves = new ArrayList<>();
        for (Occupant o : moved) {
            if (!(placement.place(o.request(), inventory, taken, closedNodes) instanceof Placement.Placed p)) {
                return null;
            }
            taken.addAll(p.gpus());
            moves.add(new RepackPlan.Move(o.workerId(), o.function(), p.gpus()));
        }
        return new RepackPlan(target, moves);
    }

    private static long cost(RepackPlan p) {
        return p.moves().size() * 1000L + p.moves().stream().mapToInt(m -> m.to().size()).sum();
    }
}
