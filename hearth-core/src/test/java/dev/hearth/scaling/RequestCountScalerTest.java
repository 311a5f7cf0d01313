package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The requestCount scaler against scripted load on a fake clock: stable and panic windows, hysteresis, rates. */
class RequestCountScalerTest {

    static final Instant T0 = Instant.parse("2026-01-05T12:00:00Z");
    static final Duration TICK = Duration.ofMillis(250);

    final FakeClock clock = new FakeClock(T0);
    final ScalingWindows windows = new ScalingWindows();
    final Fleet fleet = new Fleet();

    static ScalingConfig config(int max, Duration idle, int concurrency) {
        return new ScalingConfig(0, max, idle, concurrency);
    }

    ScalingDecision round(Autoscaler a, ScalingConfig cfg, int queued, int inFlight) {
        fleet.busy(inFlight, cfg.concurrency(), clock.instant());
        ScalingDecision d = a.decide(new FunctionLoad("f", cfg, queued, 0, inFlight, fleet.workers()), windows);
        fleet.apply(d, clock.instant());
        clock.advance(TICK);
        return d;
    }

    @Test
    void desiredWorkersAreDemandOverTheScalerValue() {
        ScalingConfig cfg = new ScalingConfig(0, 100, Duration.ofSeconds(60), 4, 0, 4, Scaler.REQUEST_COUNT, 5,
                List.of());
        Autoscaler a = new Autoscaler(clock);

        ScalingDecision d = round(a, cfg, 37, 0);

        assertThat(d.start()).isEqualTo(8);  // ceil(37 / 5)
        assertThat(d.reason()).contains("queue 37").contains("+8");
    }

    @Test
    void aBurstFromZeroScalesAtOnceAndPanics() {
        Autoscaler a = new Autoscaler(clock);

        ScalingDecision d = round(a, config(8, Duration.ofSeconds(30), 1), 200, 0);

        assertThat(d.start()).isEqualTo(8);
        assertThat(d.inputs().queued()).isEqualTo(200);
        assertThat(d.reason()).contains("queue 200").contains("capacity 0");
    }

    @Test
    void aBurstOnWarmWorkersPanicsAndScalesOnTheShortWindow() {
        Autoscaler a = new Autoscaler(clock);
        ScalingConfig cfg = config(20, Duration.ofSeconds(60), 1);
        fleet.ready(2, T0);
        for (int i = 0; i < 40; i++) {  // ten seconds of two jobs: steady
            assertThat(round(a, cfg, 0, 2).isNoop()).isTrue();
        }

        ScalingDecision d = round(a, cfg, 60, 2);

        // one sample of 62 among the 24 of the 6 s panic window outweighs 2 × capacity; the 60 s window would not
        assertThat(d.panic()).isTrue();
        assertThat(d.start()).isPositive();
        assertThat(d.reason()).contains("panic");
        assertThat(d.inputs().panicDemand()).isGreaterThan(d.inputs().stableDemand());
    }

    @Test
    void nothingScalesDownWhilePanickingEvenWhenWorkersAreIdle() {
        Autoscaler a = new Autoscaler(clock);
        ScalingConfig cfg = config(10, Duration.ofSeconds(10), 1);
        round(a, cfg, 30, 0);  // panic: 10 workers
        assertThat(fleet.size()).isEqualTo(10);

        // the burst is gone at once, and the workers sit idle past their idle timeout
        ScalingDecision d = null;
        for (int i = 0; i < 4 * 8; i++) {
            d = round(a, cfg, 0, 0);
            assertThat(d.drain()).isEmpty();
        }
        assertThat(d.panic()).isTrue();
        clock.advance(Duration.ofSeconds(3));  // a whole stable window (10 s) since the panic
        d = round(a, cfg, 0, 0);

        assertThat(d.panic()).isFalse();
        assertThat(d.drain()).hasSize(10);
        assertThat(d.reason()).contains("idle for 10s");
    }

    @Test
    void loadHoveringAroundAThresholdDoesNotMakeWorkersFlap() {
        Autoscaler a = new Autoscaler(clock);
        ScalingConfig cfg = config(10, Duration.ZERO, 1);  // zero idle timeout: only hysteresis holds them
        int changes = 0;
        int last = -1;
        for (int i = 0; i < 200; i++) {
            int inFlight = i % 2 == 0 ? 4 : 3;  // 3.5 on average, flipping every round
            round(a, cfg, 0, inFlight);
            if (i > 10 && fleet.size() != last) {
                changes++;
            }
            last = fleet.size();
        }

        assertThat(changes).isZero();
        assertThat(fleet.size()).isEqualTo(4);
    }

    @Test
    void aClearDropScalesDownBeyondTheBand() {
        Autoscaler a = new Autoscaler(clock);
        ScalingConfig cfg = config(10, Duration.ZERO, 1);
        round(a, cfg, 0, 5);
        assertThat(fleet.size()).isEqualTo(5);

        ScalingDecision d = round(a, cfg, 0, 3);  // 3 / 0.8 = 3.75: four workers keep 20 % headroom

        assertThat(d.drain()).hasSize(1);
        assertThat(fleet.size()).isEqualTo(4);
    }

    @Test
    void maxScaleUpRateBoundsEachStepByTheReadyWorkers() {
        Autoscaler a = new Autoscaler(clock, new ScalingTuning(Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0,
                2.0, 0.2));
        ScalingConfig cfg = config(32, Duration.ofSeconds(60), 1);
        fleet.ready(1, T0);

        assertThat(round(a, cfg, 100, 1).start()).isEqualTo(1);   // 1 ready × 2 = 2
        assertThat(round(a, cfg, 100, 2).start()).isEqualTo(2);   // 2 × 2 = 4
        ScalingDecision d = round(a, cfg, 100, 4);
        assertThat(d.start()).isEqualTo(4);                       // 4 × 2 = 8
        assertThat(d.reason()).contains("maxScaleUpRate 2");
    }

    @Test
    void startingWorkersAreNotReadyForTheRateButCountAsCapacity() {
        Autoscaler a = new Autoscaler(clock, new ScalingTuning(Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0,
                2.0, 0.2));
        List<WorkerSnapshot> ws = List.of(
                new WorkerSnapshot("r", WorkerPhase.READY, 1, T0, null),
                new WorkerSnapshot("s", WorkerPhase.STARTING, 0, T0, null));

        ScalingDecision d = a.decide(new FunctionLoad("f", config(32, Duration.ofSeconds(60), 1), 50, 0, 1, ws));

        assertThat(d.start()).isZero();
        assertThat(d.reason()).contains("maxScaleUpRate");
    }

    @Test
    void bufferWorkersAreKeptWhileTheFunctionHasWorkAndLetGoAfter() {
        Autoscaler a = new Autoscaler(clock);
        ScalingConfig cfg = new ScalingConfig(0, 10, Duration.ofSeconds(1), 1, 2, 1, Scaler.REQUEST_COUNT, 0,
                List.of());

        ScalingDecision d = round(a, cfg, 3, 0);
        assertThat(d.start()).isEqualTo(5);
        for (int i = 0; i < 12; i++) {
            round(a, cfg, 0, 0);
        }

        assertThat(fleet.size()).isZero();
    }

    @Test
    void lowPriorityJobsNeverAddWorkersButRideOnExistingOnes() {
        Autoscaler a = new Autoscaler(clock);
        fleet.ready(1, T0);

        ScalingDecision d = a.decide(new FunctionLoad("f", config(4, Duration.ofSeconds(60), 1), 0, 50, 1,
                fleet.workers()), windows);

        assertThat(d.start()).isZero();
        assertThat(d.reason()).contains("+50 low priority");
    }
}
