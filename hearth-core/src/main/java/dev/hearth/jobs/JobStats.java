package dev.hearth.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Latency and outcome figures of the jobs that finished in a time window, overall and per equal time bucket: what the
 * dashboard charts. Pure: a function of the jobs' timings and the window, no clock of its own.
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
     * The figures for the jobs among {@code jobs} that finished in {@code [from, to)}, with the window cut into
     * {@code bucketCount} buckets. Jobs that never started (e.g. cancelled in the queue) count as outcomes but give
     * no latency sample.
     */
    public static JobStats of(List<JobTiming> jobs, Instant from, Instant to, int bucketCount) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the window must be non-empty: " + from + " .. " + to);
        }
        if (bucketCount < 1) {
            throw new IllegalArgumentException("bucketCount must be at least 1, got " + bucketCount);
        }
        List<JobTiming> finished = jobs.stream()
                .filter(j -> !j.finishedAt().isBefore(from) && j.finishedAt().isBefore(to)).toList();
        long width = Math.max(1, Duration.between(from, to).toMillis() / bucketCount);
        List<List<JobTiming>> slices = new ArrayList<>(bucketCount);
        for (int i = 0; i < bucketCount; i++) {
            slices.add(new ArrayList<>());
        }
        for (JobTiming j : finished) {
            int i = (int) Math.min(bucketCount - 1, Duration.between(from, j.finishedAt()).toMillis() / width);
            slices.get(i).add(j);
        }
        List<Bucket> buckets = new ArrayList<>(bucketCount);
        for (int i = 0; i < bucketCount; i++) {
            List<JobTiming> slice = slices.get(i);
            buckets.add(new Bucket(from.plusMillis(i * width), outcomes(slice), samples(slice, JobTiming::delayMs),
                    samples(slice, JobTiming::executionMs)));
        }
        int cold = (int) finished.stream().filter(JobTiming::coldStart).count();
        return new JobStats(from, to, outcomes(finished), cold, samples(finished, JobTiming::delayMs),
                samples(finished, JobTiming::executionMs), List.copyOf(buckets));
    }

    private static Outcomes outcomes(List<JobTiming> jobs) {
        int completed = 0;
        int failed = 0;
        int timedOut = 0;
        int cancelled = 0;
        for (JobTiming j : jobs) {
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

    private static Percentiles samples(List<JobTiming> jobs, Function<JobTiming, Long> metric) {
        return Percentiles.of(jobs.stream().map(metric).filter(Objects::nonNull).mapToLong(Long::longValue).toArray());
    }
}
