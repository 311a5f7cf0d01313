package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The queueDelay scaler against a scripted queue on a fake clock. */
class QueueDelayScalerTest {

    static final Instant T0 = Instant.parse("2026-01-05T12:00:00Z");
    static final ScalingConfig CFG = new ScalingConfig(0, 5, Duration.ofSeconds(5), 1, 0, 1, Scaler.QUEUE_DELAY, 2,
            List.of());

    final FakeClock clock = new FakeClock(T0);
    final Autoscaler autoscaler = new Autoscaler(clock);
    final ScalingWindows windows = new ScalingWindows();

    ScalingDecision decide(int queued, int inFlight, Duration oldest, List<WorkerSnapshot> workers) {
        return autoscaler.decide(new FunctionLoad("f", CFG, queued, 0, inFlight, workers, oldest), windows);
    }

    static List<WorkerSnapshot> busy(int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new WorkerSnapshot("b" + i, WorkerPhase.READY, 1, T0, null)).toList();
    }

    @Test
    void theFirstJobStartsAWorkerWithoutWaitingForTheDelay() {
        ScalingDecision d = decide(1, 0, Duration.ZERO, List.of());

        assertThat(d.start()).isEqualTo(1);
        assertThat(d.reason()).contains("scale from zero");
    }

    @Test
    void aQueueYoungerThanTheThresholdHolds() {
        ScalingDecision d = decide(30, 2, Duration.ofMillis(1900), busy(2));

        assertThat(d.isNoop()).isTrue();
        assertThat(d.why()).contains("within 2s");
    }

    @Test
    void aQueueOlderThanTheThresholdAddsOneWorker() {
        ScalingDecision d = decide(30, 2, Duration.ofMillis(2100), busy(2));

        assertThat(d.start()).isEqualTo(1);
        assertThat(d.reason()).contains("queue delay").contains("oldest waited 2100ms");
    }

    @Test
    void noFurtherWorkerIsAddedWhileTheLastOneIsStillStarting() {
        List<WorkerSnapshot> ws = new java.util.ArrayList<>(busy(2));
        ws.add(new WorkerSnapshot("s", WorkerPhase.STARTING, 0, T0, null));

        ScalingDecision d = decide(30, 2, Duration.ofSeconds(10), ws);

        assertThat(d.isNoop()).isTrue();
        assertThat(d.why()).contains("starting");
    }

    @Test
    void aScriptedBacklogGrowsWorkersOneByOneUpToMax() {
        List<WorkerSnapshot> ws = busy(1);
        int[] sizes = new int[8];
        for (int round = 0; round < 8; round++) {
            ScalingDecision d = decide(50, ws.size(), Duration.ofSeconds(3 + round), ws);
            ws = busy(ws.size() + d.start());
            sizes[round] = ws.size();
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(sizes).containsExactly(2, 3, 4, 5, 5, 5, 5, 5);
    }

    @Test
    void anEmptyQueueLetsIdleWorkersGoAfterTheirIdleTimeout() {
        List<WorkerSnapshot> ws = List.of(new WorkerSnapshot("busy", WorkerPhase.READY, 1, T0, null),
                new WorkerSnapshot("idle", WorkerPhase.READY, 0, T0, T0.minusSeconds(6)),
                new WorkerSnapshot("longer-idle", WorkerPhase.READY, 0, T0, T0.minusSeconds(60)),
                new WorkerSnapshot("fresh", WorkerPhase.READY, 0, T0, T0.minusSeconds(1)));

        ScalingDecision d = decide(0, 1, Duration.ZERO, ws);

        // one job in flight keeps two workers (20 % headroom); of the idle ones, the longest idle go first
        assertThat(d.drain()).containsExactly("longer-idle", "idle");
    }
}
