package dev.hearth.sim;

import dev.hearth.time.Ticker;
import java.time.Duration;
import java.time.Instant;

/**
 * The simulation's clock: it stands still while the policies read it and moves only when the simulation takes the
 * next event. Time is kept in milliseconds from the start, the precision the server meters in. As a {@link Ticker}, its
 * nanosecond count is the same time, and a sleep lets the time pass at once.
 */
final class VirtualClock implements Ticker {

    private final long startEpochMillis;
    private long now;

    VirtualClock(Instant start) {
        this.startEpochMillis = start.toEpochMilli();
    }

    @Override
    public Instant instant() {
        return at(now);
    }

    @Override
    public long millis() {
        return startEpochMillis + now;
    }

    @Override
    public long nanoTime() {
        return now * 1_000_000;
    }

    @Override
    public void sleep(Duration d) {
        advanceTo(now + d.toMillis());
    }

    /** Milliseconds since the start. */
    long now() {
        return now;
    }

    /** The instant {@code offset} ms after the start. */
    Instant at(long offset) {
        return Instant.ofEpochMilli(startEpochMillis + offset);
    }

    void advanceTo(long offset) {
        if (offset < now) {
            throw new IllegalStateException("the virtual clock cannot go back from " + now + " to " + offset + " ms");
        }
        now = offset;
    }
}
