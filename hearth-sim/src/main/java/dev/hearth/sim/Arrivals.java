package dev.hearth.sim;

/**
 * One function's requests, generated once and replayed through every policy so that the policies are compared on
 * the same traffic.
 *
 * @param at      arrival times, ms from the start, ascending
 * @param exec    each request's execution time in ms
 * @param horizon how long the traffic lasts, ms (at least the last arrival)
 */
public record Arrivals(long[] at, long[] exec, long horizon) {

    public Arrivals {
        if (at.length != exec.length) {
            throw new IllegalArgumentException("one execution time per arrival");
        }
    }

    public int count() {
        return at.length;
    }

    /** Work offered, in worker-seconds per second: the busy workers a perfect fleet would need on average. */
    public double offeredLoad() {
        if (horizon <= 0) {
            return 0;
        }
        double busy = 0;
        for (long e : exec) {
            busy += e;
        }
        return busy / horizon;
    }
}
