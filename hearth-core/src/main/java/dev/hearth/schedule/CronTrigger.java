package dev.hearth.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * When a cron-scheduled function fires: at most once per tick, and after downtime only for the latest missed tick (no
 * storm of catch-up jobs). Pure; the caller keeps the last fired tick durably.
 */
public final class CronTrigger {

    /** Missed ticks older than this are not looked for; only the latest one would fire anyway. */
    private static final Duration LOOK_BACK = Duration.ofDays(1);

    private CronTrigger() {
    }

    /**
     * The latest tick in {@code (lastFired, now]}, if any.
     *
     * @param lastFired the last tick that fired (or, for a new schedule, when it was deployed)
     */
    public static Optional<Instant> due(Cron cron, ZoneId zone, Instant lastFired, Instant now) {
        Instant from = lastFired.isBefore(now.minus(LOOK_BACK)) ? now.minus(LOOK_BACK) : lastFired;
        Instant tick = cron.next(from, zone);
        if (tick.isAfter(now)) {
            return Optional.empty();
        }
        for (Instant n = cron.next(tick, zone); !n.isAfter(now); n = cron.next(n, zone)) {
            tick = n;
        }
        return Optional.of(tick);
    }
}
