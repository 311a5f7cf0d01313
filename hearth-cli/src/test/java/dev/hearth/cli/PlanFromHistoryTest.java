package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Hearth;
import dev.hearth.client.JobHandle;
import dev.hearth.client.JobState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code hearth plan FUNCTION --from-history} against a real server that ran a real workload: the planner, replaying
 * what the server recorded through the policy that ran, predicts what the server measured (issue 11 §4, at a small
 * scale; bench/run planaccuracy does the same for minutes).
 */
class PlanFromHistoryTest {

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("H100:4");

    /** Starts in about a second (the import), runs for the seconds its input says. */
    static final String SLEEPER = """
            import time
            time.sleep(1.0)
            def handler(job):
                time.sleep(job["input"]["sleep"])
                return "ok"
            """;

    @Test
    void thePlanOfThePolicyThatRanPredictsTheMeasuredCostColdStartsAndP95() throws Exception {
        hearth.deploy("sleeper", "gpu: H100\nscaling: {minWorkers: 0, maxWorkers: 4, idleTimeout: 2s}\n", SLEEPER);
        // Poisson arrivals at 1/s for 45 s, lognormal execution (p50 300 ms, p95 1 s)
        runWorkload("sleeper", 1.0, Duration.ofSeconds(45), 300, 1000, 7);
        // every worker idles out, so the server has billed all it will
        try (Hearth client = hearth.client()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.workers("sleeper").isEmpty());
        }

        JsonNode plan = Json.MAPPER.readTree(hearth.ok("plan", "sleeper", "--from-history", "10m", "--json",
                "--threads", "1").out());
        JsonNode current = policy(plan, "current");
        JsonNode usage = hearth.get("/v1/usage?function=sleeper&from=1h");
        JsonNode stats = hearth.get("/v1/functions/sleeper/stats?window=10m");

        double measuredCost = usage.get("total").get("cost").get("total").asDouble();
        int measuredCold = stats.get("coldStarts").asInt();
        double measuredP95 = stats.get("latency").get("p95").asDouble() / 1000;
        String report = "predicted " + current + "\nmeasured cost " + measuredCost + ", cold starts " + measuredCold
                + ", p95 " + measuredP95 + " s\nusage " + usage.get("total") + "\nworker starts "
                + hearth.get("/v1/functions/sleeper/history?since=10m").get("workerStarts");
        System.out.println(report);
        assertThat(current.get("requests").asInt()).as(report).isEqualTo(stats.get("jobs").get("completed").asInt());
        // The target is 10%, which the 3-minute bench meets (bench/README.md); at this scale (41 requests, 5-7
        // worker starts) one start more or less is 15-20%, and 1 run in 6 missed 10% on a loaded 2-core machine (cold
        // starts 3 against 5, p95 -14%), so the test checks 20%, and cold starts within 2
        assertThat(current.get("cost").asDouble()).as(report).isCloseTo(measuredCost, within(measuredCost * 0.2));
        assertThat((double) current.get("coldStarts").asInt()).as(report)
                .isCloseTo(measuredCold, within(Math.max(2, measuredCold * 0.2)));
        assertThat(current.get("latency").get("p95").asDouble()).as(report)
                .isCloseTo(measuredP95, within(measuredP95 * 0.2));
    }

    @Test
    void applyAsksFirstAndThenSetsTheRecommendedScalingLive() throws Exception {
        // two always-on workers for a trickle of requests: scaling to zero is cheaper at a loose SLO
        hearth.deploy("overprovisioned", "gpu: H100\nscaling: {minWorkers: 2, maxWorkers: 2}\n",
                "def handler(job):\n    return 1\n");
        try (Hearth client = hearth.client()) {
            for (int i = 0; i < 3; i++) {
                client.function("overprovisioned").remote(Map.of());
            }
        }

        Cli.Result declined = hearth.runWithInput("n\n", "plan", "overprovisioned", "--from-history", "1h", "--slo",
                "p95 < 30s", "--apply");
        assertThat(declined.code()).as(declined.err()).isZero();
        assertThat(declined.out()).contains("recommended: ", "to overprovisioned now? [y/N]", "not applied");
        assertThat(scaling("overprovisioned").get("minWorkers").asInt()).isEqualTo(2);

        Cli.Result applied = hearth.ok("plan", "overprovisioned", "--from-history", "1h", "--slo", "p95 < 30s",
                "--apply", "--yes");
        String recommended = applied.out().replaceAll("(?s).*recommended: (\\S+) at.*", "$1");
        assertThat(applied.out()).contains("applied " + recommended + " to overprovisioned");
        JsonNode plan = Json.MAPPER.readTree(hearth.ok("plan", "overprovisioned", "--from-history", "1h", "--slo",
                "p95 < 30s", "--json").out());
        JsonNode want = policy(plan, "current").get("scaling");
        JsonNode now = scaling("overprovisioned");
        // the scaling now in force is the recommendation's: the plan's "current" is it
        assertThat(now.get("minWorkers").asInt()).isZero();
        assertThat(now.get("idleTimeout").asText()).isEqualTo(want.get("idleTimeout").asText());
        assertThat(now.get("liveUpdate")).isNotNull();
    }

    private static JsonNode scaling(String fn) {
        return hearth.get("/v1/functions/" + fn).get("scaling");
    }

    private static JsonNode policy(JsonNode plan, String name) {
        for (JsonNode p : plan.get("functions").get(0).get("policies")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no policy " + name + " in " + plan);
    }

    /**
     * Submits Poisson arrivals at {@code perSecond} for {@code duration}, each sleeping a lognormal time through
     * {@code p50Ms} and {@code p95Ms}, and waits for every result.
     */
    static void runWorkload(String fn, double perSecond, Duration duration, double p50Ms, double p95Ms, long seed)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        double sigma = (Math.log(p95Ms) - Math.log(p50Ms)) / 1.6448536269514722;
        List<AtomicReference<JobHandle>> jobs = new ArrayList<>();
        try (Hearth client = hearth.client();
             ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
            double t = 0;
            while (true) {
                t += -1000 / perSecond * Math.log(1 - random.nextDouble());
                if (t >= duration.toMillis()) {
                    break;
                }
                double sleep = Math.exp(Math.log(p50Ms) + sigma * random.nextGaussian()) / 1000;
                AtomicReference<JobHandle> job = new AtomicReference<>();
                jobs.add(job);
                timer.schedule(() -> job.set(client.function(fn).spawn(Map.of("sleep", sleep))), (long) t,
                        TimeUnit.MILLISECONDS);
            }
            await().atMost(duration.plusSeconds(30)).until(() -> jobs.stream().allMatch(j -> j.get() != null));
            for (AtomicReference<JobHandle> j : jobs) {
                assertThat(j.get().await(Duration.ofSeconds(60)).status()).isEqualTo(JobState.COMPLETED);
            }
        }
    }
}
