package dev.hearth.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The autoscaler's memory of one function: recent demand samples (for the stable and panic windows) and when it last
 * saw a panic. Owned by whoever runs the autoscaler (the scaling loop, a simulator), one per function; not
 * thread-safe.
 */
public final class ScalingWindows {

    private record Sample(Instant at, double demand) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    /**
     * The demands of {@code samples} added up. Demands are whole numbers of jobs, so adding and taking them away is
     * exact: the sum never drifts from the one a loop over the samples would give.
     */
    private double sum;
    private Instant lastPanicAt;

    /** Adds a sample and forgets those older than {@code keep}. */
    void record(Instant at, double demand, Duration keep) {
        samples.addLast(new Sample(at, demand));
        sum += demand;
        while (samples.size() > 1 && !samples.peekFirst().at().isAfter(at.minus(keep))) {
            sum -= samples.removeFirst().demand();
        }
    }

    /** Forgets every sample: a function at rest has no history worth averaging into a new burst. */
    void reset() {
        samples.clear();
        sum = 0;
        lastPanicAt = null;
    }

    /** The mean demand of the samples in {@code (now - window, now]}, or the latest sample if none is that new. */
    double average(Instant now, Duration window) {
        if (samples.isEmpty()) {
            return 0;
        }
        Instant from = now.minus(window);
        if (samples.peekFirst().at().isAfter(from)) {
            return sum / samples.size(); // the whole memory is in the window: the running sum answers at once
        }
        // samples are in time order: count back from the newest (the panic window holds only the last few)
        double inWindow = 0;
        int n = 0;
        for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext(); ) {
            Sample s = it.next();
            if (!s.at().isAfter(from)) {
                break;
            }
            inWindow += s.demand();
            n++;
        }
        if (n == 0) {
            return samples.peekLast().demand();
        }
        return inWindow / n;
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
