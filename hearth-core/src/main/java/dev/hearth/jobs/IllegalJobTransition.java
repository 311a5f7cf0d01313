package dev.hearth.jobs;

/** A state change that {@link JobTransitions} does not allow, such as completing a cancelled job. */
public final class IllegalJobTransition extends RuntimeException {

    private final transient Job job;
    private final JobState target;

    public IllegalJobTransition(Job job, JobState target) {
        super("job " + job.id() + " cannot go from " + job.state() + " to " + target);
        this.job = job;
        this.target = target;
    }

    public Job job() {
        return job;
    }

    public JobState target() {
        return target;
    }
}
