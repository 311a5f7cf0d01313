package dev.hearth.fleet;

import dev.hearth.functions.GpuRequest;
import dev.hearth.placement.Gpu;
import dev.hearth.scaling.FunctionLoad;
import dev.hearth.scaling.WorkerPhase;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet as one scaling round sees it: every lane's load, every live worker and the GPUs. Built by the server from
 * its registry and queues, and by the simulator from its own state; {@link FleetPlanner} turns it into a plan.
 *
 * @param inventory   every GPU of the fleet
 * @param closedNodes nodes that take no new workers (draining or drained)
 * @param lanes       what each lane (a function, or one release lane of a split function) has queued and running
 * @param workers     every worker that has not exited, draining ones included (they still hold their GPUs)
 * @param owners      the priority and GPU request of every GPU function holding workers (its latest version): who
 *                    competes for GPUs besides the lanes that want starts, and how a moved worker is replaced
 */
public record FleetSnapshot(List<Gpu> inventory, Set<String> closedNodes, List<Lane> lanes, List<Worker> workers,
                            Map<String, Owner> owners) {

    public FleetSnapshot {
        inventory = List.copyOf(inventory);
        closedNodes = Set.copyOf(closedNodes);
        lanes = List.copyOf(lanes);
        workers = List.copyOf(workers);
        owners = Map.copyOf(owners);
    }

    /**
     * One lane: a function version the autoscaler decides for.
     *
     * @param key      the caller's name for the lane (unique in the round); windows and decisions are kept by it
     * @param priority the manifest priority: its weight when GPUs are scarce
     * @param gpu      GPUs per worker, or null for a CPU-only function
     * @param mayStart  false while the lane's starts are refused whatever the GPUs (a crash loop, a start back-off)
     * @param load      queue, in-flight jobs and workers, as the {@link dev.hearth.scaling.Autoscaler} reads them
     * @param warmNodes nodes whose cache holds the version's code and environment: placement prefers them
     */
    public record Lane(String key, String function, int priority, GpuRequest gpu, boolean mayStart, FunctionLoad load,
                       Set<String> warmNodes) {
        public Lane {
            warmNodes = Set.copyOf(warmNodes);
        }

        /** A lane with no warm node to prefer. */
        public Lane(String key, String function, int priority, GpuRequest gpu, boolean mayStart, FunctionLoad load) {
            this(key, function, priority, gpu, mayStart, load, Set.of());
        }
    }

    /**
     * One worker holding (or not) GPUs.
     *
     * @param inFlight jobs it runs now
     * @param gpus     the GPUs it holds (empty for a CPU worker)
     */
    public record Worker(String id, String function, WorkerPhase phase, int inFlight, List<Gpu> gpus) {
        public Worker {
            gpus = List.copyOf(gpus);
        }
    }

    /** A GPU function as a competitor for GPUs. */
    public record Owner(int priority, GpuRequest gpu) {
    }
}
