package dev.hearth.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceCatalogParser;
import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulationTest {

    private static final PriceCatalog PRICES = PriceCatalogParser.parse(PriceCatalogParser.defaultYaml());
    private static final List<Gpu> FLEET = ConfiguredGpuInventory.parse("H100:8", "sim").gpus();
    private static final GpuRequest ONE_H100 = new GpuRequest(List.of("H100"), 1);
    private static final long HOUR = 3_600_000;

    private static LaneResult run(ScalingConfig scaling, Distribution init, Arrivals arrivals) {
        return new Simulation(PRICES, FLEET).run(List.of(new Simulation.Lane("f", ONE_H100, 1, 10, scaling, init, 7,
                arrivals))).getFirst();
    }

    private static ScalingConfig dedicated(int n) {
        return Policy.dedicated("d", n, 1).scaling();
    }

    @Test
    void dedicatedWorkersWithPoissonArrivalsAndExponentialServiceWaitAsErlangCPredicts() {
        int c = 4;
        double lambda = 3; // per second
        double meanService = 1; // seconds
        Arrivals arrivals = new Traffic.Poisson(lambda, 20 * HOUR)
                .generate(new SplittableRandom(11), new Distribution.Exponential(meanService * 1000));

        LaneResult r = run(dedicated(c), new Distribution.Fixed(0), arrivals);

        double expectedWaitMs = erlangCMeanWait(c, lambda, 1 / meanService) * 1000;
        assertThat(r.queueDelay().mean()).isCloseTo(expectedWaitMs, within(expectedWaitMs * 0.05));
    }

    /** Erlang C: the mean time in queue of an M/M/c queue. */
    private static double erlangCMeanWait(int c, double lambda, double mu) {
        double a = lambda / mu;
        double rho = a / c;
        double term = 1;
        double sum = 0;
        for (int k = 0; k < c; k++) {
            sum += term;
            term *= a / (k + 1);
        }
        double last = term / (1 - rho); // a^c / c! / (1 - rho)
        double probabilityOfWaiting = last / (sum + last);
        return probabilityOfWaiting / (c * mu - lambda);
    }

    @Test
    void aDedicatedWorkerForADayCostsExactly24TimesTheAlwaysOnHourlyPrice() {
        long[] at = {1_000, 600_000, 7_200_000};
        long[] exec = {2_000, 2_000, 2_000};
        Arrivals arrivals = new Arrivals(at, exec, 24 * HOUR);

        LaneResult r = run(dedicated(1), new Distribution.Fixed(2_000), arrivals);

        // the default catalog's H100 always-on rate is $0.00093 a second: $3.348 an hour
        assertThat(r.cost()).isEqualTo(Money.ofDollars("3.348").times(24));
        assertThat(r.billedMillis()).isEqualTo(24 * HOUR);
        assertThat(r.busyMillis()).isEqualTo(6_000);
        assertThat(r.peakWorkers()).isEqualTo(1);
    }

    @Test
    void sparseTrafficWithAShortIdleTimeoutStartsAWorkerForNearlyEveryRequest() {
        Arrivals arrivals = new Traffic.Poisson(1 / 120.0, 12 * HOUR)
                .generate(new SplittableRandom(5), new Distribution.Fixed(300));

        LaneResult r = run(new ScalingConfig(0, 4, Duration.ofSeconds(5), 1), new Distribution.Fixed(1_500),
                arrivals);

        assertThat(r.requests()).isGreaterThan(300);
        assertThat(r.coldStartShare()).isGreaterThan(0.95);
        // a cold request waits for the worker's start-up: about 1.5 s of queue delay
        assertThat(r.queueDelay().p50()).isBetween(1_500L, 1_510L);
    }

    @Test
    void aTrickleGoesToTheWorkerBusyMostRecentlySoTheOthersReachTheirIdleTimeout() {
        // a burst of 4 starts 4 workers; then one request a second for a minute, 100 ms each
        long[] at = new long[64];
        long[] exec = new long[64];
        for (int i = 0; i < at.length; i++) {
            at[i] = i < 4 ? 1_000 : 3_000 + (i - 4) * 1_000L;
            exec[i] = 100;
        }

        LaneResult r = run(new ScalingConfig(0, 4, Duration.ofSeconds(5), 1), new Distribution.Fixed(500),
                new Arrivals(at, exec, 70_000));

        assertThat(r.peakWorkers()).isEqualTo(4);
        // the server's queue serves the most recently busy worker first: one worker carries the trickle (~63 s) and
        // three idle out after 5 s (~6 s each); taken in turn, each would be idle 3 s at a time and all 4 billed ~63 s
        assertThat(r.billedMillis()).isBetween(75_000L, 90_000L);
    }

    @Test
    void workersAreBilledOnDemandBeyondMinWorkersAndAlwaysOnWithin() {
        long[] at = new long[200];
        long[] exec = new long[200];
        for (int i = 0; i < at.length; i++) {
            at[i] = 1_000 + i * 10L; // a burst: 200 requests in 2 s
            exec[i] = 1_000;
        }
        Arrivals burst = new Arrivals(at, exec, HOUR);

        LaneResult zero = run(new ScalingConfig(0, 8, Duration.ofSeconds(30), 1), new Distribution.Fixed(500), burst);
        LaneResult floorOfEight = run(new ScalingConfig(8, 8, Duration.ofSeconds(30), 1), new Distribution.Fixed(500),
                burst);

        assertThat(zero.peakWorkers()).isEqualTo(8);
        assertThat(zero.billedMillis()).isLessThan(floorOfEight.billedMillis());
        // on demand, an H100 second costs $0.00116; always on $0.00093
        assertThat(floorOfEight.cost()).isEqualTo(Money.ofDollars("0.00093").times(8 * 3_600));
    }

    @Test
    void functionsOnOneFleetShareItsGpus() {
        Arrivals a = new Traffic.Poisson(5, HOUR / 6).generate(new SplittableRandom(1), new Distribution.Fixed(1_000));
        Arrivals b = new Traffic.Poisson(5, HOUR / 6).generate(new SplittableRandom(2), new Distribution.Fixed(1_000));
        ScalingConfig scaling = new ScalingConfig(0, 8, Duration.ofSeconds(30), 1);

        List<LaneResult> together = new Simulation(PRICES, FLEET).run(List.of(
                new Simulation.Lane("a", ONE_H100, 1, 10, scaling, new Distribution.Fixed(500), 1, a),
                new Simulation.Lane("b", ONE_H100, 1, 10, scaling, new Distribution.Fixed(500), 2, b)));

        // each wants 5 workers, the fleet has 8 GPUs: they get them all between them, and never more
        long end = together.getFirst().endMillis();
        assertThat(together.get(0).billedMillis() + together.get(1).billedMillis()).isLessThanOrEqualTo(8 * end);
        assertThat(together.get(0).peakWorkers() + together.get(1).peakWorkers()).isGreaterThan(5);
        assertThat(together.get(0).requests()).isEqualTo(a.count());
        assertThat(together.get(1).requests()).isEqualTo(b.count());
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // without the yield, chat would wait for ever and the run never end
    void aHigherPriorityFunctionGetsAGpuHeldByALowerPriorityOneThroughTheServersFairShareYield() {
        List<Gpu> oneGpu = ConfiguredGpuInventory.parse("H100:1", "sim").gpus();
        // batch keeps its one always-on worker busy with a 5 s job every 10 s for 10 minutes
        long[] batchAt = new long[60];
        long[] batchExec = new long[60];
        for (int i = 0; i < batchAt.length; i++) {
            batchAt[i] = i * 10_000L;
            batchExec[i] = 5_000;
        }
        Arrivals batch = new Arrivals(batchAt, batchExec, 600_000);
        Arrivals chat = new Arrivals(new long[] {60_000}, new long[] {1_000}, 600_000);

        List<LaneResult> results = new Simulation(PRICES, oneGpu).run(List.of(
                new Simulation.Lane("batch", ONE_H100, 1, 1, dedicated(1), new Distribution.Fixed(500), 1, batch),
                new Simulation.Lane("chat", ONE_H100, 1, 10, new ScalingConfig(0, 1, Duration.ofSeconds(30), 1),
                        new Distribution.Fixed(500), 2, chat)));

        // batch's worker finishes its job (at most 5 s), gives the GPU back, and chat's worker starts (0.5 s)
        assertThat(results.get(1).latency().p99()).isLessThan(7_000);
        assertThat(results.get(0).requests()).isEqualTo(60);
    }
}
