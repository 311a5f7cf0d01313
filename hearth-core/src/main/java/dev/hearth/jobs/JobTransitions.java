package dev.hearth.jobs;

import static dev.hearth.jobs.JobState.CANCELLED;
import static dev.hearth.jobs.JobState.COMPLETED;
import static dev.hearth.jobs.JobState.FAILED;
import static dev.hearth.jobs.JobState.IN_PROGRESS;
import static dev.hearth.jobs.JobState.IN_QUEUE;
import static dev.hearth.jobs.JobState.TIMED_OUT;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The job state machine: the one place that knows which state changes are legal. Every method returns the next
 * version of the job (revision + 1) or throws {@link IllegalJobTransition}.
 */
public final class JobTransitions {

    private static final Map<JobState, Set<JobState>> ALLOWED = Map.of(
            IN_QUEUE, EnumSet.of(IN_PROGRESS, CANCELLED, FAILED),
            IN_PROGRESS, EnumSet.of(COMPLETED, FAILED, TIMED_OUT, CANCELLED, IN_QUEUE),
            FAILED, EnumSet.of(IN_QUEUE),
            TIMED_OUT, EnumSet.of(IN_QUEUE),
            COMPLETED, EnumSet.noneOf(JobState.class),
            CANCELLED, EnumSet.noneOf(JobState.class));

    private JobTransitions() {
    }

    public static boolean allowed(JobState from, JobState to) {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * A worker takes the job: it is leased to that worker until {@code leaseUntil}, and runs on the worker's function
     * version.
     */
    public static Job lease(Job job, String workerId, int version, Instant now, Instant leaseUntil, boolean coldStart,
                            long initTimeMs) {
        check(job, IN_PROGRESS);
        return new Job(job.id(), job.function(), version, IN_PROGRESS, job.input(), null, null, job.webhook(),
                job.policy(), job.attempts() + 1, job.maxRetries(), workerId, leaseUntil, job.queuedAt(), now, null,
                coldStart, initTimeMs, job.revision() + 1);
    }

    /**
     * Whether a job's run is a cold start: the job waited for its worker to start (it was queued before the worker
     * became ready) and is among the jobs the worker took with its first slots.
     *
     * @param workerReadyAt when the worker first asked for work, or null if it has not
     * @param takenBefore   jobs the worker took before this one
     * @param slots         jobs the worker runs at once
     */
    public static boolean isColdStart(Instant queuedAt, Instant workerReadyAt, long takenBefore, int slots) {
        return workerReadyAt != null && queuedAt.isBefore(workerReadyAt) && takenBefore < slots;
    }

    /** The worker holding the lease proved it is alive: the lease is extended. Not a state change. */
    public static Job renewLease(Job job, Instant leaseUntil) {
        if (job.state() != IN_PROGRESS) {
            throw new IllegalJobTransition(job, IN_PROGRESS);
        }
        return new Job(job.id(), job.function(), job.version(), job.state(), job.input(), job.output(), job.error(),
                job.webhook(), job.policy(), job.attempts(), job.maxRetries(), job.workerId(), leaseUntil,
                job.queuedAt(), job.placedAt(), job.finishedAt(), job.coldStart(), job.initTimeMs(),
                job.revision() + 1);
    }

    public static Job complete(Job job, String output, Instant now) {
        return finish(job, COMPLETED, output, null, now);
    }

    public static Job fail(Job job, String output, String error, Instant now) {
        return finish(job, FAILED, output, error, now);
    }

    public static Job timeOut(Job job, Instant now) {
        return finish(job, TIMED_OUT, null, "execution timeout of " + job.policy().executionTimeout().toMillis()
                + " ms exceeded", now);
    }

    public static Job cancel(Job job, Instant now) {
        return finish(job, CANCELLED, null, null, now);
    }

    /**
     * The job goes back to the queue: its worker died, its lease expired or its node drained. The attempt counter is
     * kept, so retries stay bounded.
     */
    public static Job requeue(Job job) {
        return requeue(job, null);
    }

    /**
     * The job goes back to the queue to be retried, but may not be handed out before {@code runAfter} (a retry
     * backoff); null means at once.
     */
    public static Job requeue(Job job, Instant runAfter) {
        check(job, IN_QUEUE);
        return new Job(job.id(), job.function(), job.version(), IN_QUEUE, job.input(), null, job.error(),
                job.webhook(), job.policy(), job.attempts(), job.maxRetries(), null, null, job.queuedAt(), null, null,
                false, 0, job.revision() + 1, runAfter);
    }

    /**
     * The job goes back to the queue through no fault of its own: its node was drained, or the control plane shut
     * down, before it finished. Unlike {@link #requeue}, the attempt it was on does not count against its retries.
     */
    public static Job handBack(Job job) {
        Job requeued = requeue(job);
        return new Job(requeued.id(), requeued.function(), requeued.version(), requeued.state(), requeued.input(),
                null, requeued.error(), requeued.webhook(), requeued.policy(), Math.max(0, job.attempts() - 1),
                requeued.maxRetries(), null, null, requeued.queuedAt(), null, null, false, 0, requeued.revision(),
                null);
    }

    /**
     * A client asks to run a FAILED or TIMED_OUT job again (RunPod's {@code /retry}): same id, new queue time, one more
     * attempt allowed.
     */
    public static Job retry(Job job, Instant now) {
        check(job, IN_QUEUE);
        return new Job(job.id(), job.function(), job.version(), IN_QUEUE, job.input(), null, null, job.webhook(),
                job.policy(), 0, job.maxRetries(), null, null, now, null, null, false, 0, job.revision() + 1);
    }

    private static Job finish(Job job, JobState to, String output, String error, Instant now) {
        check(job, to);
        return new Job(job.id(), job.function(), job.version(), to, job.input(), output, error, job.webhook(),
                job.policy(), job.attempts(), job.maxRetries(), job.workerId(), null, job.queuedAt(), job.placedAt(),
                now, job.coldStart(), job.initTimeMs(), job.revision() + 1);
    }

    private static void check(Job job, JobState to) {
        if (!allowed(job.state(), to)) {
            throw new IllegalJobTransition(job, to);
        }
    }
}
