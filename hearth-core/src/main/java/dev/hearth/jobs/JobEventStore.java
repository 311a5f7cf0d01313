package dev.hearth.jobs;

import java.util.List;

/**
 * The durable home of job timelines. Events are removed with their job (TTL expiry, result retention), so a
 * timeline lives exactly as long as the job it describes.
 */
public interface JobEventStore {

    /** Stores events, in one durable write. */
    void appendEvents(List<JobEvent> events);

    /** A job's events in the order they happened; empty when there are none. */
    List<JobEvent> events(String jobId);
}
