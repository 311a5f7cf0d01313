package dev.hearth.client;

import java.time.Duration;

/**
 * Waiting for a job gave up on the client side; the job itself goes on (cancel it with {@link JobHandle#cancel()}).
 * Not to be confused with a job in state {@link JobState#TIMED_OUT}, which is a {@link HearthRemoteException}.
 */
public final class HearthTimeoutException extends HearthClientException {

    private final JobStatus lastStatus;

    public HearthTimeoutException(JobStatus lastStatus, Duration waited) {
        super("job " + lastStatus.id() + " still " + lastStatus.status() + " after " + waited.toMillis() + " ms"
                + (lastStatus.reason() == null ? "" : " (" + lastStatus.reason() + ")"));
        this.lastStatus = lastStatus;
    }

    public String jobId() {
        return lastStatus.id();
    }

    /** The status seen last, still {@code IN_QUEUE} or {@code IN_PROGRESS}. */
    public JobStatus lastStatus() {
        return lastStatus;
    }
}
