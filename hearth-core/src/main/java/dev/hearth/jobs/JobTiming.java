package dev.hearth.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The timing of one finished job, without its payloads: what latency statistics need, cheap to read in bulk.
 *
 * @param placedAt null when the job never started (e.g. cancelled while queued)
 */
public record JobTiming(JobState state, Instant queuedAt, Instant placedAt, Instant finishedAt, boolean coldStart) {

    public JobTiming {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(queuedAt, "queuedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    /** The timing of a finished job; empty for a job that has not finished. */
    public static java.util.Optional<JobTiming> of(Job job) {
        if (!job.state().isFinal() || job.finishedAt() == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new JobTiming(job.state(), job.queuedAt(), job.placedAt(), job.finishedAt(),
                job.coldStart()));
    }

    /** Milliseconds from submission to the start of execution, or null if it never started. */
    public Long delayMs() {
        return placedAt == null ? null : Duration.between(queuedAt, placedAt).toMillis();
    }

    /** Milliseconds from submission to the final state, or null if it never started (no latency to speak of). */
    public Long endToEndMs() {
        return placedAt == null ? null : Math.max(0, Duration.between(queuedAt, finishedAt).toMillis());
    }

    /** Milliseconds of execution, or null if it never started. */
    public Long executionMs() {
        return placedAt == null ? null : Math.max(0, Duration.between(placedAt, finishedAt).toMillis());
    }
}
