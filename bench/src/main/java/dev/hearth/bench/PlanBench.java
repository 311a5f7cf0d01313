package dev.hearth.bench;

import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.sim.Arrivals;
import dev.hearth.sim.LaneResult;
import dev.hearth.sim.Plan;
import dev.hearth.sim.Planner;
import dev.hearth.sim.Policy;
import dev.hearth.sim.Scenario;
import dev.hearth.sim.ScenarioParser;
import dev.hearth.sim.Simulation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost planner's speed, no server: 10 functions of 100,000 Poisson requests each (an hour at ~27.8/s, lognormal
 * execution p50 200 ms / p95 1 s, init 2 s) on 160 H100s.
 * <ul>
 *   <li>one policy: all 10 functions together in one simulation, scale-to-zero with a 30 s idle timeout and up to 16
 *       workers each (targets: under 5 s);</li>
 *   <li>the default sweep over the same functions, policies in parallel on every core (target: under 30 s).</li>
 * </ul>
 * Each is run {@code -Dplan.rounds=3} times (the first includes JIT warm-up); it prints every round, with the
 * process's CPU time beside the wall time; {@code -Dplan.sweep=false} leaves the sweep out.
 */
final class PlanBench {

    private static final int FUNCTIONS = 10;

    void run() {
        StringBuilder yaml = new StringBuilder("""
                gpus: H100:160
                slo: p95 < 3s
                seed: 1
                functions:
                """);
        for (int i = 0; i < FUNCTIONS; i++) {
            yaml.append("""
                      - name: fn-%d
                        gpu: H100
                        execution: {p50: 200ms, p95: 1s}
                        init: 2s
                        traffic: poisson 27.78/s for 1h
                    """.formatted(i));
        }
        Scenario scenario = ScenarioParser.parse(yaml.toString(), Path.of("."));
        int rounds = Integer.getInteger("plan.rounds", 3);
        int cores = Runtime.getRuntime().availableProcessors();
        for (int round = 1; round <= rounds; round++) {
            long cpu0 = cpu();
            long t0 = System.nanoTime();
            List<Simulation.Lane> lanes = new ArrayList<>();
            Policy zero30 = new Policy("zero-30s", new ScalingConfig(0, 16, Duration.ofSeconds(30), 1), false);
            long requests = 0;
            for (int i = 0; i < FUNCTIONS; i++) {
                Arrivals a = Planner.arrivals(scenario, i);
                requests += a.count();
                lanes.add(Planner.lane(scenario, i, a, zero30));
            }
            long t1 = System.nanoTime();
            List<LaneResult> results = new Simulation(scenario.prices(), scenario.gpus()).run(lanes);
            long t2 = System.nanoTime();
            long cpu1 = cpu();
            int cold = results.stream().mapToInt(LaneResult::coldStarts).sum();
            Money cost = results.stream().map(LaneResult::cost).reduce(Money.ZERO, Money::plus);
            System.out.printf("plan one policy, round %d: %,d requests across %d functions: traffic generated in "
                            + "%.2f s, simulated in %.2f s (%.2f s in all, CPU %.2f s; %,.0f requests/s); %,d cold "
                            + "starts, cost %s%n", round, requests, FUNCTIONS, sec(t1 - t0), sec(t2 - t1), sec(t2 - t0),
                    sec(cpu1 - cpu0), requests / sec(t2 - t1), cold, cost);
        }
        // -Dplan.sweep=false times the one-policy case alone (quicker, e.g. under a profiler)
        int sweepRounds = Boolean.parseBoolean(System.getProperty("plan.sweep", "true")) ? rounds : 0;
        for (int round = 1; round <= sweepRounds; round++) {
            long cpu0 = cpu();
            long t0 = System.nanoTime();
            Plan plan = new Planner(cores).plan(scenario);
            long t1 = System.nanoTime();
            long cpu1 = cpu();
            int runs = plan.functions().stream().mapToInt(f -> f.policies().size()).sum();
            Plan.Recommendation r = plan.functions().getFirst().recommendation();
            // every simulation's cost and cold starts added up: a change meant to keep results must not move them
            Money costs = Money.ZERO;
            long colds = 0;
            for (Plan.FunctionPlan f : plan.functions()) {
                for (Plan.Outcome o : f.policies()) {
                    costs = costs.plus(o.result().cost());
                    colds += o.result().coldStarts();
                }
            }
            System.out.printf("plan default sweep, round %d: %d functions, %d simulations of ~100,000 requests on %d "
                            + "threads in %.2f s (CPU %.2f s); fn-0 recommendation: %s; all simulations: cost %s, %,d "
                            + "cold starts%n", round, FUNCTIONS, runs, cores, sec(t1 - t0), sec(cpu1 - cpu0),
                    r == null ? "none meets the SLO" : r.policy() + " at " + r.cost(), costs, colds);
        }
    }

    /** CPU time of the whole process: on a shared machine, wall time also counts other people's work. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double sec(long nanos) {
        return nanos / 1e9;
    }
}
