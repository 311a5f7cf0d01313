package dev.hearth.scaling;

import java.time.Duration;
import java.time.Instant;

/**
 * The autoscaler's memory of one function: recent demand samples (for the stable and panic windows) and when it last
 * saw a panic. Owned by whoever runs the autoscaler (the scaling loop, a simulator), one per function; not
 * thread-safe.
 *
 * <p>A busy function is decided every few milliseconds (every submission nudges the scaling loop), so the stable
 * window can hold thousands of samples. The samples sit in a ring in time order with running totals, so that a window's
 * average is a binary search and a subtraction rather than a walk over every sample. Demands are whole numbers of
 * jobs, so the totals are exact and the averages are the same as adding the samples up one by one.
 */
public final class ScalingWindows {

    private long[] atNanos = new long[16];
    private double[] demands = new double[16];
    /** The running total of every demand recorded since the last reset, up to and including each sample. */
    private double[] totals = new double[16];
    private int head;
    private int size;
    private double total;
    private Instant lastPanicAt;

    /** Adds a sample and forgets those older than {@code keep}. */
    void record(Instant at, double demand, Duration keep) {
        long t = nanos(at);
        if (size > 0) {
            t = Math.max(t, atNanos[index(size - 1)]); // a clock stepping back must not unsort the ring
        }
        if (size == atNanos.length) {
            grow();
        }
        int i = index(size);
        total += demand;
        atNanos[i] = t;
        demands[i] = demand;
        totals[i] = total;
        size++;
        long forgetUpTo = t - keep.toNanos();
        while (size > 1 && atNanos[head] <= forgetUpTo) {
            head = (head + 1) % atNanos.length;
            size--;
        }
    }

    /** Forgets every sample: a function at rest has no history worth averaging into a new burst. */
    void reset() {
        head = 0;
        size = 0;
        total = 0;
        lastPanicAt = null;
    }

    /** The mean demand of the samples in {@code (now - window, now]}, or the latest sample if none is that new. */
    double average(Instant now, Duration window) {
        if (size == 0) {
            return 0;
        }
        long from = nanos(now) - window.toNanos();
        int lo = 0;
        int hi = size;
        while (lo < hi) { // the first sample after `from`
            int mid = (lo + hi) >>> 1;
            if (atNanos[index(mid)] > from) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        int last = index(size - 1);
        if (lo == size) {
            return demands[last];
        }
        int first = index(lo);
        double sum = totals[last] - (totals[first] - demands[first]);
        return sum / (size - lo);
    }

    void panicked(Instant at) {
        lastPanicAt = at;
    }

    /** Whether a panic was seen within {@code window} before {@code now}. */
    boolean panickedWithin(Instant now, Duration window) {
        return lastPanicAt != null && now.isBefore(lastPanicAt.plus(window));
    }

    int size() {
        return size;
    }

    private int index(int i) {
        return (head + i) % atNanos.length;
    }

    private void grow() {
        int n = atNanos.length * 2;
        long[] at = new long[n];
        double[] d = new double[n];
        double[] t = new double[n];
        for (int i = 0; i < size; i++) {
            int from = index(i);
            at[i] = atNanos[from];
            d[i] = demands[from];
            t[i] = totals[from];
        }
        atNanos = at;
        demands = d;
        totals = t;
        head = 0;
    }

    private static long nanos(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
    }
}
