package dev.hearth.jobs;

/** The states of a job, spelled as the RunPod endpoint API spells them on the wire. */
public enum JobState {
    IN_QUEUE,
    IN_PROGRESS,
    COMPLETED,
    FAILED,
    CANCELLED,
    TIMED_OUT;

    public boolean isFinal() {
        return this != IN_QUEUE && this != IN_PROGRESS;
    }
}
