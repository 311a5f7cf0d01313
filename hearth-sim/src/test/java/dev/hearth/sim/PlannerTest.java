package dev.hearth.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static Scenario scenario(long seed, String traffic) {
        return ScenarioParser.parse("""
                gpus: H100:8
                slo: p95 < 5s
                seed: %d
                functions:
                  - name: chat
                    gpu: H100
                    execution: {p50: 800ms, p95: 2s}
                    init: 2s
                    traffic: %s
                """.formatted(seed, traffic), Path.of("."));
    }

    @Test
    void theSameSeedGivesTheSamePlan() {
        Scenario s = scenario(3, "poisson 1/s for 20m");

        assertThat(new Planner(2).plan(s)).isEqualTo(new Planner(1).plan(s));
    }

    @Test
    void anotherSeedGivesOtherTraffic() {
        Plan one = new Planner(2).plan(scenario(3, "poisson 1/s for 20m"));
        Plan other = new Planner(2).plan(scenario(4, "poisson 1/s for 20m"));

        assertThat(one.functions().getFirst().requests()).isNotEqualTo(other.functions().getFirst().requests());
    }

    @Test
    void recommendsTheCheapestPolicyThatMeetsTheSlo() {
        Plan plan = new Planner(2).plan(scenario(1, "poisson 1/s for 20m"));

        Plan.FunctionPlan f = plan.functions().getFirst();
        Plan.Recommendation r = f.recommendation();
        assertThat(r).isNotNull();
        for (Plan.Outcome o : f.policies()) {
            if (o.meetsSlo()) {
                assertThat(o.result().cost()).isGreaterThanOrEqualTo(r.cost());
            }
        }
        Plan.Outcome chosen = f.policies().stream().filter(o -> o.policy().name().equals(r.policy())).findFirst()
                .orElseThrow();
        assertThat(chosen.meetsSlo()).isTrue();
        assertThat(f.policies().getFirst().policy().name()).isEqualTo("current");
        assertThat(r.savingVsDedicated()).isNotNull();
        assertThat(r.savingVsDedicated().nanos()).isNotNegative();
    }

    @Test
    void aSweepTriesScaleToZeroMinWorkersBufferQueueDelayAndDedicatedUntilTheSloIsMet() {
        Plan plan = new Planner(2).plan(scenario(1, "poisson 1/s for 20m"));

        var names = plan.functions().getFirst().policies().stream().map(o -> o.policy().name()).toList();
        assertThat(names).contains("current", "zero-5s", "zero-30s", "zero-2m", "zero-10m", "buffer-1",
                "queue-delay-4s", "min-1");
        assertThat(plan.functions().getFirst().policies()).anyMatch(o -> o.policy().dedicated() && o.meetsSlo());
    }
}
