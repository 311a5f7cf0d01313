package dev.hearth.sim;

import dev.hearth.jobs.JobStats;

/**
 * A latency distribution in milliseconds: the mean and the nearest-rank percentiles, computed as the server's job
 * statistics compute them.
 */
public record Latency(double mean, long p50, long p95, long p99) {

    public static final Latency NONE = new Latency(0, 0, 0, 0);

    /** The mean and nearest-rank percentiles of these samples (in ms, any order); {@link #NONE} when empty. */
    public static Latency of(long[] samples) {
        if (samples.length == 0) {
            return NONE;
        }
        double sum = 0;
        for (long s : samples) {
            sum += s;
        }
        JobStats.Percentiles p = JobStats.Percentiles.of(samples);
        return new Latency(sum / samples.length, p.p50(), p.p95(), p.p99());
    }
}
