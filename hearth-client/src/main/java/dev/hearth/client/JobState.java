package dev.hearth.client;

/** The states of a job, spelled as the RunPod endpoint API spells them on the wire. */
public enum JobState {
    IN_QUEUE,
    IN_PROGRESS,
    COMPLETED,
    FAILED,
    CANCELLED,
    TIMED_OUT;

    /** Whether the job has ended; a final job never changes state again (except by an explicit retry). */
    public boolean isFinal() {
        return this != IN_QUEUE && this != IN_PROGRESS;
    }
}
