package dev.hearth.sim;

import dev.hearth.metering.Money;
import java.util.List;

/** The planner's answer: per function, every policy tried and the recommendation. */
public record Plan(Slo slo, List<FunctionPlan> functions) {

    public Plan {
        functions = List.copyOf(functions);
    }

    /**
     * @param recommendation the cheapest policy meeting the SLO, or null when none does
     */
    public record FunctionPlan(String name, int requests, List<Outcome> policies, Recommendation recommendation) {

        public FunctionPlan {
            policies = List.copyOf(policies);
        }
    }

    public record Outcome(Policy policy, LaneResult result, boolean meetsSlo) {
    }

    /**
     * @param savingVsCurrent   the current policy's cost minus this one's
     * @param savingVsDedicated the cheapest dedicated policy meeting the SLO minus this one's; null if none was tried
     *                          or none meets it
     */
    public record Recommendation(String policy, Money cost, Money savingVsCurrent, Money savingVsDedicated) {
    }
}
