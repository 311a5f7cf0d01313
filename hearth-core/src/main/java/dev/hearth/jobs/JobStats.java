package dev.hearth.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Latency and outcome figures of the jobs that finished in a time window, overall and per equal time bucket: what the
 * dashboard charts. Pure: a function of the jobs and the window, no clock of its own.
 *
 * @param from        start of the window (inclusive)
 * @param to          end of the window (exclusive)
 * @param outcomes    how the jobs that finished in the window ended
 * @param coldStarts  how many of them waited for a worker to start
 * @param delay       queue delay (submission to start of execution), in milliseconds
 * @param execution   execution time, in milliseconds
 * @param buckets     the window cut into equal consecutive buckets, oldest first
 */
public record JobStats(Instant from, Instant to, Outcomes outcomes, int coldStarts, Percentiles delay,
                       Percentiles execution, List<Bucket> buckets) {

    /** Counts by final state. */
    public record Outcomes(int completed, int failed, int timedOut, int cancelled) {

        public int total() {
            return completed + failed + timedOut + cancelled;
        }
    }

    /** Nearest-rank percentiles in milliseconds; {@link #EMPTY} (all null) when there is no sample. */
    public record Percentiles(int count, Long p50, Long p95, Long p99, Long max) {

        public static final Percentiles EMPTY = new Percentiles(0, null, null, null, null);

        /** The percentiles of these samples (in any order). */
        public static Percentiles of(long[] samples) {
            if (samples.length == 0) {
                return EMPTY;
            }
            long[] s = samples.clone();
            Arrays.sort(s);
            return new Percentiles(s.length, rank(s, 50), rank(s, 95), rank(s, 99), s[s.length - 1]);
        }

        private static long rank(long[] sorted, int percent) {
            int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
            return sorted[Math.clamp(index, 0, sorted.length - 1)];
        }
    }

    /** One slice of the window: the jobs that finished in {@code [start, start + width)}. */
    public record Bucket(Instant start, Outcomes outcomes, Percentiles delay, Percentiles execution) {
    }

    /**
     * The figures for the jobs among {@code jobs} that reached a final state in {@code [from, to)}, with the window
     * cut into {@code bucketCount} buckets. Jobs that never started (e.g. cancelled in the queue) count as outcomes
     * but give no latency sample.
     */
    public static JobStats of(List<Job> jobs, Instant from, Instant to, int bucketCount) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the window must be non-empty: " + from + " .. " + to);
        }
        if (bucketCount < 1) {
            throw new IllegalArgumentException("bucketCount must be at least 1, got " + bucketCount);
        }
        List<Job> finished = jobs.stream().filter(j -> j.state().isFinal() && j.finishedAt() != null
                && !j.finishedAt().isBefore(from) && j.finishedAt().isBefore(to)).toList();
        long width = Math.max(1, Duration.between(from, to).toMillis() / bucketCount);
        List<List<Job>> slices = new ArrayList<>(bucketCount);
        for (int i = 0; i < bucketCount; i++) {
            slices.add(new ArrayList<>());
        }
        for (Job j : finished) {
            int i = (int) Math.min(bucketCount - 1, Duration.between(from, j.finishedAt()).toMillis() / width);
            slices.get(i).add(j);
        }
        List<Bucket> buckets = new ArrayList<>(bucketCount);
        for (int i = 0; i < bucketCount; i++) {
            List<Job> slice = slices.get(i);
            buckets.add(new Bucket(from.plusMillis(i * width), outcomes(slice), delays(slice), executions(slice)));
        }
        int cold = (int) finished.stream().filter(Job::coldStart).count();
        return new JobStats(from, to, outcomes(finished), cold, delays(finished), executions(finished),
                List.copyOf(buckets));
    }

    private static Outcomes outcomes(List<Job> jobs) {
        int completed = 0;
        int failed = 0;
        int timedOut = 0;
        int cancelled = 0;
        for (Job j : jobs) {
            switch (j.state()) {
                case COMPLETED -> completed++;
                case FAILED -> failed++;
                case TIMED_OUT -> timedOut++;
                case CANCELLED -> cancelled++;
                case IN_QUEUE, IN_PROGRESS -> { }
            }
        }
        return new Outcomes(completed, failed, timedOut, cancelled);
    }

    private static Percentiles delays(List<Job> jobs) {
        return Percentiles.of(jobs.stream().map(Job::delayTimeMs).filter(d -> d != null)
                .mapToLong(Long::longValue).toArray());
    }

    private static Percentiles executions(List<Job> jobs) {
        return Percentiles.of(jobs.stream().filter(j -> j.placedAt() != null)
                .mapToLong(j -> j.executionTimeMs(j.finishedAt())).toArray());
    }
}
