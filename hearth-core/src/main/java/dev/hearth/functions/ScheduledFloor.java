package dev.hearth.functions;

import dev.hearth.schedule.Cron;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A known busy period: from each tick of {@code cron}, for {@code duration}, the function keeps at least
 * {@code minWorkers} workers. Written in a manifest as {@code {cron: "0 9 * * 1-5", minWorkers: 2, duration: 8h}}.
 *
 * @param zone the zone the cron expression is read in (the manifest's {@code timeZone}, UTC by default)
 */
public record ScheduledFloor(Cron cron, int minWorkers, Duration duration, ZoneId zone) {

    public ScheduledFloor {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(zone, "zone");
        if (minWorkers < 0) {
            throw new IllegalArgumentException("minWorkers must be 0 or more");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be more than 0");
        }
    }

    /** Whether {@code now} lies within {@code duration} after a tick: some tick t has t <= now < t + duration. */
    public boolean activeAt(Instant now) {
        return cron.ticksBetween(now.minus(duration), now, zone);
    }
}
