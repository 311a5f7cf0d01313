package dev.hearth.replicate;

import dev.hearth.jobs.JobState;
import java.util.Locale;

/**
 * A prediction's status: the only five words Replicate's clients know. They poll until one of the last three, so a
 * job's state must always read as one of these (a timed-out job failed; it was not canceled by anyone).
 */
public enum PredictionStatus {
    STARTING, PROCESSING, SUCCEEDED, FAILED, CANCELED;

    public static PredictionStatus of(JobState state) {
        return switch (state) {
            case IN_QUEUE -> STARTING;
            case IN_PROGRESS -> PROCESSING;
            case COMPLETED -> SUCCEEDED;
            case FAILED, TIMED_OUT -> FAILED;
            case CANCELLED -> CANCELED;
        };
    }

    public boolean isFinal() {
        return this != STARTING && this != PROCESSING;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
