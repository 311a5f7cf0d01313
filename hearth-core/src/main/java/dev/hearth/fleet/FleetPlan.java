package dev.hearth.fleet;

import dev.hearth.placement.Gpu;
import dev.hearth.placement.RepackPlan;
import dev.hearth.scaling.ScalingDecision;
import java.util.List;
import java.util.Map;

/**
 * What one scaling round does to the fleet, in the order to do it; the server applies it to its worker pool, the
 * simulator to its simulated workers.
 *
 * @param decisions the autoscaler's decision for each lane, by lane key
 * @param actions   the drains, starts, yields and repacks, in order
 * @param heldBack  why a function got none of its starts because another ranks first for the GPUs both could use
 * @param lacking   why a GPU function's start found no GPUs (the placement's reason, or the repack it waits for)
 */
public record FleetPlan(Map<String, ScalingDecision> decisions, List<Action> actions, Map<String, String> heldBack,
                        Map<String, String> lacking) {

    public FleetPlan {
        decisions = Map.copyOf(decisions);
        actions = List.copyOf(actions);
        heldBack = Map.copyOf(heldBack);
        lacking = Map.copyOf(lacking);
    }

    /** How many starts the plan has for the lane. */
    public int starts(String key) {
        return (int) actions.stream().filter(a -> a instanceof Start s && s.key().equals(key)).count();
    }

    /** One step of a plan. */
    public sealed interface Action {
    }

    /** The autoscaler scales the lane down: stop routing to the worker, stop it once its jobs are done. */
    public record Drain(String key, String workerId) implements Action {
    }

    /**
     * Start one worker of the lane on these GPUs (empty: a CPU worker, placed on a node by the caller). A start that
     * fails for another reason (the process does not launch) leaves its GPUs free; the caller then skips the lane's
     * further starts of the round, as they would fail the same way.
     */
    public record Start(String key, String function, List<Gpu> gpus) implements Action {
        public Start {
            gpus = List.copyOf(gpus);
        }
    }

    /**
     * Fair share: {@code function}'s worker gives its GPUs back (drained, it finishes its jobs first) so that
     * {@code forFunction}, of {@code forPriority}, can start one.
     */
    public record Yield(String workerId, String function, String forFunction, int forPriority) implements Action {
    }

    /**
     * Make room for {@code function} by moving idle workers of other functions: drain each moved worker and start a
     * replacement of its function at once on the GPUs its move names. {@code plan.target()} is reserved for
     * {@code function} (the planner keeps the reservation in its {@link FleetMemory}).
     */
    public record Repack(String function, RepackPlan plan, String reason) implements Action {
    }
}
