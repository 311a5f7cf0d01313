package dev.hearth.worker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One job, as a handler sees it.
 *
 * <p>An interface so that handlers can be unit-tested with a hand-written implementation.
 */
public interface JobContext {

    /** The job id the control plane assigned. */
    String id();

    /** The job's {@code input}, as submitted by the client; a {@code NullNode} when the job carried none. */
    JsonNode input();

    /**
     * The job's input bound to a type, with the worker's {@link WorkerOptions#getObjectMapper() mapper}.
     *
     * @throws IllegalArgumentException when the input does not fit the type (the job then fails with that message,
     *         unless the handler catches it)
     */
    <T> T input(Class<T> type);

    /**
     * Reports progress: clients see {@code update} as the job's output while it is {@code IN_PROGRESS}. Best effort:
     * a failed update is logged, not thrown, and ignored once the job is cancelled.
     *
     * @param update any value Jackson can serialize
     */
    void progress(Object update);

    /**
     * Whether the job was cancelled (by a client, or because it timed out) or this worker lost its lease on it.
     * Its result will not be posted; long-running handlers should check this (or react to the interrupt) and stop.
     */
    boolean isCancelled();
}
