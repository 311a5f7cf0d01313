package dev.hearth.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The autoscaler's memory of one function: recent demand samples (for the stable and panic windows) and when it last
 * saw a panic. Owned by whoever runs the autoscaler (the scaling loop, a simulator), one per function; not
 * thread-safe.
 */
public final class ScalingWindows {

    private record Sample(Instant at, double demand) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private Instant lastPanicAt;

    /** Adds a sample and forgets those older than {@code keep}. */
    void record(Instant at, double demand, Duration keep) {
        samples.addLast(new Sample(at, demand));
        while (samples.size() > 1 && !samples.peekFirst().at().isAfter(at.minus(keep))) {
            samples.removeFirst();
        }
    }

    /** Forgets every sample: a function at rest has no history worth averaging into a new burst. */
    void reset() {
        samples.clear();
        lastPanicAt = null;
    }

    /** The mean demand of the samples in {@code (now - window, now]}, or the latest sample if none is that new. */
    double average(Instant now, Duration window) {
        Instant from = now.minus(window);
        double sum = 0;
        int n = 0;
        for (Sample s : samples) {
            if (s.at().isAfter(from)) {
                sum += s.demand();
                n++;
            }
        }
        if (n == 0) {
            return samples.isEmpty() ? 0 : samples.peekLast().demand();
        }
        return sum / n;
    }

    void panicked(Instant at) {
        lastPanicAt = at;
    }

    /** Whether a panic was seen within {@code window} before {@code now}. */
    boolean panickedWithin(Instant now, Duration window) {
        return lastPanicAt != null && now.isBefore(lastPanicAt.plus(window));
    }

    int size() {
        return samples.size();
    }
}
