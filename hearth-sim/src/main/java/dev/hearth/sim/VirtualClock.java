package dev.hearth.sim;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The simulation's clock: it stands still while the policies read it and moves only when the simulation takes the
 * next event. Time is kept in milliseconds from the start, the precision the server meters in.
 */
final class VirtualClock implements InstantSource {

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
