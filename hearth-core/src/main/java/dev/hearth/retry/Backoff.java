package dev.hearth.retry;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Exponential backoff, as Modal's {@code Retries}: the first retry waits {@code initialDelay}, each later one
 * {@code coefficient} times longer than the one before, never longer than {@code maxDelay}. Pure: the clock is
 * passed in.
 *
 * @param initialDelay the wait before the first retry (zero: retry at once)
 * @param coefficient  the growth factor between consecutive waits, at least 1
 * @param maxDelay     the longest wait
 */
public record Backoff(Duration initialDelay, double coefficient, Duration maxDelay) {

    /** Modal's defaults: 1 s, doubling, at most 60 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(60));

    /** Retry at once, as a bare {@code retries: N} does. */
    public static final Backoff NONE = new Backoff(Duration.ZERO, 1.0, Duration.ZERO);

    public Backoff {
        if (initialDelay == null || initialDelay.isNegative()) {
            throw new IllegalArgumentException("initialDelay must be 0 or more");
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be at least initialDelay");
        }
        if (!(coefficient >= 1.0) || Double.isInfinite(coefficient)) {
            throw new IllegalArgumentException("coefficient must be a number of at least 1, got " + coefficient);
        }
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    public Duration delayBefore(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
        }
        double millis = initialDelay.toMillis() * Math.pow(coefficient, retry - 1);
        if (!(millis < maxDelay.toMillis())) {
            return maxDelay;
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** When retry number {@code retry} may start, if the attempt before it failed now. */
    public Instant notBefore(int retry, InstantSource clock) {
        return clock.instant().plus(delayBefore(retry));
    }

    public boolean isNone() {
        return maxDelay.isZero();
    }
}
