package dev.hearth.jobs;

import java.time.Duration;
import java.time.Instant;

/**
 * One unit of work, immutable. A new state is made only through {@link JobTransitions}, which bumps
 * {@link #revision()} so that stores can apply changes with compare-and-set.
 *
 * @param input         the request's {@code input}, as raw JSON
 * @param output        the result (or the last progress update while running), as raw JSON; null if none
 * @param attempts      how many times the job was handed to a worker
 * @param maxRetries    how many further attempts a crash, lost lease or handler error may cause
 * @param workerId      the worker holding (or that last held) the lease
 * @param placedAt      when a worker leased the job, i.e. when execution started (pull workers start on delivery)
 * @param coldStart     whether the job waited for a worker to start
 * @param initTimeMs    the start-up time of that worker, when the job waited for it
 * @param runAfter      for a queued job waiting out a retry backoff: the earliest time it may be handed out; else
 *                      null
 */
public record Job(
        String id,
        String function,
        int version,
        JobState state,
        String input,
        String output,
        String error,
        String webhook,
        JobPolicy policy,
        int attempts,
        int maxRetries,
        String workerId,
        Instant leaseExpiresAt,
        Instant queuedAt,
        Instant placedAt,
        Instant finishedAt,
        boolean coldStart,
        long initTimeMs,
        long revision,
        Instant runAfter) {

    /** A job that may run as soon as a worker is free (no retry backoff to wait out). */
    public Job(String id, String function, int version, JobState state, String input, String output, String error,
               String webhook, JobPolicy policy, int attempts, int maxRetries, String workerId, Instant leaseExpiresAt,
               Instant queuedAt, Instant placedAt, Instant finishedAt, boolean coldStart, long initTimeMs,
               long revision) {
        this(id, function, version, state, input, output, error, webhook, policy, attempts, maxRetries, workerId,
                leaseExpiresAt, queuedAt, placedAt, finishedAt, coldStart, initTimeMs, revision, null);
    }

    /** A new job as accepted from a client, not yet stored. */
    public static Job submitted(String id, String function, int version, String input, String webhook,
                                JobPolicy policy, int maxRetries, Instant now) {
        return new Job(id, function, version, JobState.IN_QUEUE, input, null, null, webhook, policy, 0, maxRetries,
                null, null, now, null, null, false, 0, 0);
    }

    /** Milliseconds from submission to the start of execution (RunPod's {@code delayTime}), or null. */
    public Long delayTimeMs() {
        return placedAt == null ? null : Duration.between(queuedAt, placedAt).toMillis();
    }

    /** Milliseconds of execution (RunPod's {@code executionTime}), or null before the job has started. */
    public Long executionTimeMs(Instant now) {
        if (placedAt == null) {
            return null;
        }
        Instant end = finishedAt != null ? finishedAt : now;
        return Math.max(0, Duration.between(placedAt, end).toMillis());
    }

    public Instant expiresAt() {
        return queuedAt.plus(policy.ttl());
    }

    /** Whether the job waits out a retry backoff at {@code now}: it must not be handed out yet. */
    public boolean isBackingOff(Instant now) {
        return state == JobState.IN_QUEUE && runAfter != null && runAfter.isAfter(now);
    }

    public boolean hasRetriesLeft() {
        return attempts <= maxRetries;
    }
}
