package dev.hearth.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The one time base of a class that also measures intervals or waits: instants, a monotonic nanosecond count for
 * deadlines and ages, and sleeping. The server injects {@link #system}; a simulation injects its virtual clock, on
 * which a sleep lets the time pass at once.
 */
public interface Ticker extends InstantSource {

    /** Monotonic nanoseconds for deadlines and ages: only differences between two readings mean anything. */
    long nanoTime();

    /** Waits this long (on a virtual clock: advances it). */
    void sleep(Duration d) throws InterruptedException;

    /**
     * The machine's time: instants from {@code wall} (the server's clock, which tests may replace), intervals from
     * {@link System#nanoTime} (immune to wall-clock steps), waits by {@link Thread#sleep}.
     */
    static Ticker system(InstantSource wall) {
        return new Ticker() {
            @Override
            public Instant instant() {
                return wall.instant();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration d) throws InterruptedException {
                Thread.sleep(d);
            }
        };
    }
}
