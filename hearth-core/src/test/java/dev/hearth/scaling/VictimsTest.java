package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scale-down takes the workers with the least work to finish, never at random. */
class VictimsTest {

    static final Instant NOW = Instant.parse("2026-01-05T12:00:00Z");

    static WorkerSnapshot w(String id, WorkerPhase phase, int inFlight, Instant idleSince) {
        return new WorkerSnapshot(id, phase, inFlight, NOW.minusSeconds(600), idleSince);
    }

    @Test
    void forcedVictimsAreStartingWorkersFirstThenTheFewestJobsInFlight() {
        List<WorkerSnapshot> ws = List.of(
                w("busy3", WorkerPhase.READY, 3, null),
                w("busy1", WorkerPhase.READY, 1, null),
                w("idle", WorkerPhase.READY, 0, NOW.minusSeconds(5)),
                w("starting", WorkerPhase.STARTING, 0, null),
                w("draining", WorkerPhase.DRAINING, 0, null));

        assertThat(Victims.forced(ws, 4)).extracting(WorkerSnapshot::id)
                .containsExactly("starting", "idle", "busy1", "busy3");
    }

    @Test
    void amongEquallyBusyWorkersTheLongestIdleGoesFirstAndTiesAreBrokenById() {
        List<WorkerSnapshot> ws = List.of(
                w("b", WorkerPhase.READY, 0, NOW.minusSeconds(100)),
                w("a", WorkerPhase.READY, 0, NOW.minusSeconds(100)),
                w("c", WorkerPhase.READY, 0, NOW.minusSeconds(300)));

        assertThat(Victims.forced(ws, 3)).extracting(WorkerSnapshot::id).containsExactly("c", "a", "b");
    }

    @Test
    void idleVictimsMustHaveBeenIdleForTheIdleTimeout() {
        List<WorkerSnapshot> ws = List.of(
                w("long", WorkerPhase.READY, 0, NOW.minusSeconds(61)),
                w("short", WorkerPhase.READY, 0, NOW.minusSeconds(59)),
                w("busy", WorkerPhase.READY, 1, null),
                w("starting", WorkerPhase.STARTING, 0, null));

        assertThat(Victims.idle(ws, 4, NOW, Duration.ofSeconds(60))).extracting(WorkerSnapshot::id)
                .containsExactly("long");
    }

    @Test
    void loweringMaxWorkersLiveDrainsTheCheapestWorkersAtOnceEvenBusyOnes() {
        ScalingConfig cfg = new ScalingConfig(0, 2, Duration.ofMinutes(5), 1);
        List<WorkerSnapshot> ws = List.of(
                w("busy-a", WorkerPhase.READY, 1, null),
                w("busy-b", WorkerPhase.READY, 1, null),
                w("starting", WorkerPhase.STARTING, 0, null),
                w("fresh-idle", WorkerPhase.READY, 0, NOW.minusSeconds(1)));

        ScalingDecision d = new Autoscaler(InstantSource.fixed(NOW)).decide(new FunctionLoad("f", cfg, 0, 0, 2, ws));

        assertThat(d.drain()).containsExactly("starting", "fresh-idle");
        assertThat(d.reason()).contains("over maxWorkers 2");
    }
}
