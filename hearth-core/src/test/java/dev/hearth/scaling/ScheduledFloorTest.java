package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.functions.ScheduledFloor;
import dev.hearth.schedule.Cron;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scheduled floors raise minWorkers during known busy hours. */
class ScheduledFloorTest {

    static final ScalingConfig OFFICE_HOURS = new ScalingConfig(0, 4, Duration.ofSeconds(60), 1, 0, 1,
            Scaler.REQUEST_COUNT, 0,
            List.of(new ScheduledFloor(Cron.parse("0 9 * * 1-5"), 2, Duration.ofHours(8), ZoneOffset.UTC)));

    @Test
    void theFloorHoldsFromTheTickForItsDuration() {
        // 2026-03-02 is a Monday
        assertThat(OFFICE_HOURS.minWorkersAt(Instant.parse("2026-03-02T08:59:00Z"))).isZero();
        assertThat(OFFICE_HOURS.minWorkersAt(Instant.parse("2026-03-02T09:00:00Z"))).isEqualTo(2);
        assertThat(OFFICE_HOURS.minWorkersAt(Instant.parse("2026-03-02T16:59:59Z"))).isEqualTo(2);
        assertThat(OFFICE_HOURS.minWorkersAt(Instant.parse("2026-03-02T17:00:00Z"))).isZero();
        assertThat(OFFICE_HOURS.minWorkersAt(Instant.parse("2026-03-07T10:00:00Z"))).isZero();  // Saturday
    }

    @Test
    void theAutoscalerStartsWorkersForAnActiveFloorWithoutAnyLoad() {
        Autoscaler a = new Autoscaler(InstantSource.fixed(Instant.parse("2026-03-02T10:00:00Z")));

        ScalingDecision d = a.decide(new FunctionLoad("f", OFFICE_HOURS, 0, 0, 0, List.of()));

        assertThat(d.start()).isEqualTo(2);
        assertThat(d.reason()).contains("scheduled floor 2");
        assertThat(d.inputs().minWorkers()).isEqualTo(2);
    }
}
