package dev.hearth.sim;

import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Answers "which scaling policy is cheapest for this traffic at this latency target": replays each function's traffic
 * through every candidate policy on the {@link Simulation} (policies in parallel), and recommends the cheapest that
 * meets the SLO.
 *
 * <p>Each function is simulated on its own on the whole fleet: functions of one scenario do not compete for GPUs in a
 * plan (the simulation itself can run them together, see {@link Simulation#run}).
 *
 * <p>The default sweep: the function's current scaling; scale-to-zero with idleTimeout 5s, 30s, 2m and 10m; one
 * buffer worker; the queueDelay scaler (4 s); dedicated N always-on workers, N from the offered load (rounded up) until
 * the SLO is met or the fleet is full; then minWorkers 1..k (k that N, at most 4). Sweep policies may use every worker
 * of the fleet that fits the function (maxWorkers), except the current one, which keeps its own.
 */
public final class Planner {

    /** The most dedicated and minWorkers counts tried at once. */
    private static final int BATCH = 4;
    private static final int MAX_MIN_WORKERS = 4;

    private final int threads;

    public Planner(int threads) {
        this.threads = Math.max(1, threads);
    }

    public Plan plan(Scenario scenario) {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Plan.FunctionPlan> plans = new ArrayList<>();
            for (int i = 0; i < scenario.functions().size(); i++) {
                plans.add(planFunction(scenario, i, pool));
            }
            return new Plan(scenario.slo(), plans);
        }
    }

    /** The traffic of the scenario's {@code index}-th function, the same for every policy. */
    public static Arrivals arrivals(Scenario scenario, int index) {
        FunctionSpec f = scenario.functions().get(index);
        return f.traffic().generate(new SplittableRandom(mix(scenario.seed(), index, 1)), f.execution());
    }

    /** The simulation lane of the scenario's {@code index}-th function under {@code policy}. */
    public static Simulation.Lane lane(Scenario scenario, int index, Arrivals arrivals, Policy policy) {
        FunctionSpec f = scenario.functions().get(index);
        return new Simulation.Lane(f.name(), f.gpu(), f.cpu(), f.priority(), policy.scaling(), f.init(),
                mix(scenario.seed(), index, 2), arrivals);
    }

    private Plan.FunctionPlan planFunction(Scenario scenario, int index, ExecutorService pool) {
        FunctionSpec f = scenario.functions().get(index);
        Arrivals arrivals = arrivals(scenario, index);
        Runner runner = new Runner(scenario, index, arrivals, pool);
        Policy current = new Policy("current", f.current(), false);
        List<Plan.Outcome> outcomes = new ArrayList<>();
        if (!f.sweep()) {
            List<Policy> policies = new ArrayList<>();
            if (f.policies().stream().noneMatch(p -> p.name().equals("current"))) {
                policies.add(current);
            }
            policies.addAll(f.policies());
            outcomes.addAll(runner.run(policies));
        } else {
            int conc = f.concurrency();
            int fleet = Simulation.capacity(f.gpu(), scenario.gpus());
            int needed = (int) Math.max(1, Math.ceil(arrivals.offeredLoad() / conc - 1e-9));
            int max = (int) Math.min(1000, fleet == Integer.MAX_VALUE ? Math.max(f.current().maxWorkers(),
                    needed * 2L + 2) : fleet);
            List<Policy> first = new ArrayList<>(List.of(current,
                    zero("zero-5s", max, Duration.ofSeconds(5), conc),
                    zero("zero-30s", max, Duration.ofSeconds(30), conc),
                    zero("zero-2m", max, Duration.ofMinutes(2), conc),
                    zero("zero-10m", max, Duration.ofMinutes(10), conc),
                    new Policy("buffer-1", new ScalingConfig(0, max, ScalingConfig.DEFAULT.idleTimeout(), conc, 1, conc,
                            Scaler.REQUEST_COUNT, 0, List.of()), false),
                    new Policy("queue-delay-4s", new ScalingConfig(0, max, ScalingConfig.DEFAULT.idleTimeout(), conc, 0,
                            conc, Scaler.QUEUE_DELAY, 0, List.of()), false)));
            int n = Math.min(needed, max);
            for (int k = 0; k < BATCH && n <= max; k++, n++) {
                first.add(Policy.dedicated("dedicated-" + n, n, conc));
            }
            outcomes.addAll(runner.run(distinct(first, outcomes)));
            while (cheapestDedicated(outcomes).isEmpty() && n <= max) {
                List<Policy> more = new ArrayList<>();
                for (int k = 0; k < BATCH && n <= max; k++, n++) {
                    more.add(Policy.dedicated("dedicated-" + n, n, conc));
                }
                outcomes.addAll(runner.run(more));
            }
            int k = Math.min(MAX_MIN_WORKERS, cheapestDedicated(outcomes)
                    .map(o -> o.policy().scaling().minWorkers()).orElse(Math.min(needed, max)));
            List<Policy> mins = new ArrayList<>();
            for (int m = 1; m <= Math.min(k, max); m++) {
                mins.add(new Policy("min-" + m, new ScalingConfig(m, max, ScalingConfig.DEFAULT.idleTimeout(), conc),
                        false));
            }
            outcomes.addAll(runner.run(distinct(mins, outcomes)));
        }
        return new Plan.FunctionPlan(f.name(), arrivals.count(), outcomes, recommend(outcomes));
    }

    private static Policy zero(String name, int max, Duration idle, int conc) {
        return new Policy(name, new ScalingConfig(0, max, idle, conc), false);
    }

    /** The candidates whose scaling was not tried already (the current one may equal a sweep point). */
    private static List<Policy> distinct(List<Policy> candidates, List<Plan.Outcome> done) {
        List<Policy> out = new ArrayList<>();
        for (Policy p : candidates) {
            boolean seen = done.stream().anyMatch(o -> o.policy().scaling().equals(p.scaling()))
                    || out.stream().anyMatch(q -> q.scaling().equals(p.scaling()));
            if (!seen) {
                out.add(p);
            }
        }
        return out;
    }

    private static Optional<Plan.Outcome> cheapestDedicated(List<Plan.Outcome> outcomes) {
        return outcomes.stream().filter(o -> o.policy().dedicated() && o.meetsSlo())
                .min(Comparator.comparing(o -> o.result().cost()));
    }

    static Plan.Recommendation recommend(List<Plan.Outcome> outcomes) {
        Optional<Plan.Outcome> best = outcomes.stream().filter(Plan.Outcome::meetsSlo)
                .min(Comparator.comparing(o -> o.result().cost()));
        if (best.isEmpty()) {
            return null;
        }
        Money cost = best.get().result().cost();
        Money vsCurrent = outcomes.stream().filter(o -> o.policy().name().equals("current")).findFirst()
                .map(o -> o.result().cost().minus(cost)).orElse(null);
        Money vsDedicated = cheapestDedicated(outcomes).map(o -> o.result().cost().minus(cost)).orElse(null);
        return new Plan.Recommendation(best.get().policy().name(), cost, vsCurrent, vsDedicated);
    }

    /** Runs policies of one function in parallel, results in the policies' order. */
    private record Runner(Scenario scenario, int index, Arrivals arrivals, ExecutorService pool) {

        List<Plan.Outcome> run(List<Policy> policies) {
            List<Future<LaneResult>> futures = new ArrayList<>();
            for (Policy p : policies) {
                futures.add(pool.submit(() -> new Simulation(scenario.prices(), scenario.gpus())
                        .run(List.of(lane(scenario, index, arrivals, p))).getFirst()));
            }
            List<Plan.Outcome> out = new ArrayList<>();
            for (int i = 0; i < policies.size(); i++) {
                LaneResult r;
                try {
                    r = futures.get(i).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while simulating", e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
                out.add(new Plan.Outcome(policies.get(i), r, scenario.slo().metBy(r.latency())));
            }
            return out;
        }
    }

    /** A seed for one purpose of one function, from the scenario's seed (SplitMix64's finaliser). */
    static long mix(long seed, int function, int purpose) {
        long z = seed * 0x9E3779B97F4A7C15L + function * 0xBF58476D1CE4E5B9L + purpose * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
