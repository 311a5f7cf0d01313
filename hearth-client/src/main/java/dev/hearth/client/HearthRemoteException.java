package dev.hearth.client;

/**
 * A job ended without a result: its handler raised, it ran past its timeout, or it was cancelled. The message
 * names the job, its final state and the remote error, so that printing it is enough.
 */
public final class HearthRemoteException extends HearthClientException {

    private final JobStatus job;

    /** The failure of the job whose final status is {@code job}. */
    public HearthRemoteException(JobStatus job) {
        super(message(job));
        this.job = job;
    }

    private static String message(JobStatus job) {
        String text = "job " + job.id() + " " + job.status();
        if (job.error() != null && !job.error().isBlank()) {
            text += ": " + job.error();
        }
        return text;
    }

    /** The id of the job that failed. */
    public String jobId() {
        return job.id();
    }

    /** The final state: {@link JobState#FAILED}, {@link JobState#TIMED_OUT} or {@link JobState#CANCELLED}. */
    public JobState status() {
        return job.status();
    }

    /** The error the worker reported (often a Python exception with its traceback), or null. */
    public String error() {
        return job.error();
    }

    /** The whole final status object. */
    public JobStatus job() {
        return job;
    }
}
