package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoscalerTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final ScalingConfig CFG = new ScalingConfig(0, 4, Duration.ofSeconds(60), 2);
    final Autoscaler autoscaler = new Autoscaler(InstantSource.fixed(NOW));

    static WorkerSnapshot ready(String id, int inFlight, Instant idleSince) {
        return new WorkerSnapshot(id, WorkerPhase.READY, inFlight, NOW.minusSeconds(600), idleSince);
    }

    @Test
    void theFirstQueuedJobAtZeroWorkersStartsOneAtOnce() {
        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", CFG, 1, 0, 0, List.of()));

        assertThat(d.start()).isEqualTo(1);
        assertThat(d.reason()).contains("scale from zero");
    }

    @Test
    void desiredWorkersAreQueuedPlusInFlightOverConcurrencyCappedAtMax() {
        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", CFG, 20, 0, 2, List.of(ready("a", 2, null))));

        assertThat(d.start()).isEqualTo(3);
        assertThat(d.reason()).contains("queue 20").contains("in flight 2").contains("desired 4");
    }

    @Test
    void startingWorkersCountAsCapacitySoAJobDoesNotStartTwoWorkers() {
        WorkerSnapshot starting = new WorkerSnapshot("a", WorkerPhase.STARTING, 0, NOW, null);

        assertThat(autoscaler.decide(new FunctionLoad("f", CFG, 1, 0, 0, List.of(starting))).isNoop()).isTrue();
    }

    @Test
    void lowPriorityJobsNeverAddWorkers() {
        assertThat(autoscaler.decide(new FunctionLoad("f", CFG, 0, 50, 0, List.of())).isNoop()).isTrue();
    }

    @Test
    void minWorkersAreKeptWithoutAnyLoad() {
        ScalingConfig warm = new ScalingConfig(2, 4, Duration.ofSeconds(60), 1);

        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", warm, 0, 0, 0, List.of()));

        assertThat(d.start()).isEqualTo(2);
        assertThat(d.reason()).contains("minWorkers");
    }

    @Test
    void onlyWorkersIdleLongerThanTheIdleTimeoutAreDrainedLongestIdleFirst() {
        List<WorkerSnapshot> ws = List.of(
                ready("recent", 0, NOW.minusSeconds(10)),
                ready("older", 0, NOW.minusSeconds(100)),
                ready("oldest", 0, NOW.minusSeconds(500)),
                ready("busy", 1, null));

        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", CFG, 0, 0, 1, ws));

        assertThat(d.drain()).containsExactly("oldest", "older");
        assertThat(d.start()).isZero();
    }

    @Test
    void scaleDownNeverGoesBelowMinWorkers() {
        ScalingConfig warm = new ScalingConfig(1, 4, Duration.ofSeconds(60), 1);
        List<WorkerSnapshot> ws = List.of(ready("a", 0, NOW.minusSeconds(500)), ready("b", 0, NOW.minusSeconds(400)));

        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", warm, 0, 0, 0, ws));

        assertThat(d.drain()).containsExactly("a");
    }

    @Test
    void drainingWorkersAreNotCapacity() {
        WorkerSnapshot draining = new WorkerSnapshot("a", WorkerPhase.DRAINING, 1, NOW, null);

        ScalingDecision d = autoscaler.decide(new FunctionLoad("f", CFG, 1, 0, 1, List.of(draining)));

        assertThat(d.start()).isEqualTo(1);
    }
}
