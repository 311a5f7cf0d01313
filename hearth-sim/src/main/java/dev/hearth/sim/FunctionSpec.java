package dev.hearth.sim;

import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ScalingConfig;
import java.util.List;

/**
 * One function of a scenario.
 *
 * @param gpu       GPUs per worker, or null for a CPU-only function
 * @param execution how long a request runs (used where the traffic does not say)
 * @param init      a worker's start-up time
 * @param current   the scaling it has now (the scenario's {@code scaling}, else Hearth's default): the baseline
 * @param policies  the policies to try, or null for the default sweep
 */
public record FunctionSpec(String name, GpuRequest gpu, double cpu, int priority, Distribution execution,
                           Distribution init, Traffic traffic, ScalingConfig current, List<Policy> policies) {

    public FunctionSpec {
        policies = policies == null ? null : List.copyOf(policies);
    }

    public int concurrency() {
        return current.concurrency();
    }

    public boolean sweep() {
        return policies == null;
    }
}
