package dev.hearth.jobs;

import java.util.Locale;

/** The kinds of step on a job's timeline; {@link #wire()} is the name in the API and the store. */
public enum JobEventType {
    /** Accepted and waiting for a worker (also after {@code /retry}). */
    QUEUED,
    /** The worker that took the job was started for it (or while it waited): the cold part of a cold start. */
    WORKER_STARTED,
    /** Leased to a worker, which runs it from now on (the worker protocol has no separate "running" signal). */
    LEASED,
    /** The worker reported progress. */
    PROGRESS,
    /** Back to the queue: the worker was lost, the handler failed with retries left, or the server stopped. */
    REQUEUED,
    COMPLETED,
    FAILED,
    TIMED_OUT,
    CANCELLED;

    /** Whether the event ends the job (until a {@code /retry} queues it again). */
    public boolean isFinal() {
        return switch (this) {
            case COMPLETED, FAILED, TIMED_OUT, CANCELLED -> true;
            case QUEUED, WORKER_STARTED, LEASED, PROGRESS, REQUEUED -> false;
        };
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobEventType fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** The event that records a job reaching {@code state}, a final state. */
    public static JobEventType finalFor(JobState state) {
        return switch (state) {
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case TIMED_OUT -> TIMED_OUT;
            case CANCELLED -> CANCELLED;
            case IN_QUEUE, IN_PROGRESS -> throw new IllegalArgumentException(state + " is not a final state");
        };
    }
}
