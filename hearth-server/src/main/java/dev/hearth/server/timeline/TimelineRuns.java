package dev.hearth.server.timeline;

import dev.hearth.jobs.JobEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's timeline read run by run, from its events alone (so it holds across restarts). The job row's attempt count
 * is its retry budget: a run lost to a node drain or a shutdown is handed back without using a retry, so the row (and
 * the events recorded from it) would number the next run 1 again, and that run's wait would seem to start at
 * submission. Here each lease is one more run, each wait in the queue ends at a lease, and a requeue ends a lost run.
 *
 * @param steps        the events in order, each with what the walk learned about it
 * @param runs         how many times the job was leased to a worker
 * @param requeues     how many times it went back to the queue
 * @param queueDelayMs the waits in the queue that ended in a lease, summed: from submission (or a requeue, or a
 *                     {@code /retry}) to the next lease
 * @param lostRunMs    the runs that ended in a requeue, summed: from their lease to the requeue
 */
public record TimelineRuns(List<Step> steps, int runs, int requeues, long queueDelayMs, long lostRunMs) {

    /**
     * One event with its place among the runs.
     *
     * @param event    the event as recorded
     * @param run      the run it belongs to, counted by leases (0 before the first; a worker start belongs to the
     *                 lease it was started for)
     * @param waitedMs on a lease: how long the job waited in the queue for it; else null
     * @param runMs    on a requeue after a lease: how long the lost run lasted; else null
     * @param counted  on a requeue after a lease: whether the lost run counts against the job's retries (false when it
     *                 was handed back: node drained, control plane stopped); else null
     */
    public record Step(JobEvent event, int run, Long waitedMs, Long runMs, Boolean counted) {
    }

    /** Walks {@code events}, oldest first. */
    public static TimelineRuns of(List<JobEvent> events) {
        List<Step> steps = new ArrayList<>(events.size());
        int run = 0;
        int requeues = 0;
        long queueDelay = 0;
        long lostRun = 0;
        Instant waitingSince = null;
        JobEvent lease = null;
        for (JobEvent e : events) {
            switch (e.type()) {
                case QUEUED -> {
                    waitingSince = e.at();
                    lease = null;
                    steps.add(new Step(e, run, null, null, null));
                }
                case WORKER_STARTED -> steps.add(new Step(e, run + 1, null, null, null));
                case LEASED -> {
                    run++;
                    Long waited = waitingSince == null ? null : millis(waitingSince, e.at());
                    if (waited != null) {
                        queueDelay += waited;
                    }
                    waitingSince = null;
                    lease = e;
                    steps.add(new Step(e, run, waited, null, null));
                }
                case REQUEUED -> {
                    requeues++;
                    Long ran = lease == null ? null : millis(lease.at(), e.at());
                    if (ran != null) {
                        lostRun += ran;
                    }
                    // the row's count went down with the hand-back, so the requeue carries a smaller one than its lease
                    Boolean counted = lease == null ? null : e.attempt() >= lease.attempt();
                    steps.add(new Step(e, run, null, ran, counted));
                    waitingSince = e.at();
                    lease = null;
                }
                case PROGRESS -> steps.add(new Step(e, run, null, null, null));
                case COMPLETED, FAILED, TIMED_OUT, CANCELLED -> {
                    waitingSince = null;
                    lease = null;
                    steps.add(new Step(e, run, null, null, null));
                }
            }
        }
        return new TimelineRuns(List.copyOf(steps), run, requeues, queueDelay, lostRun);
    }

    /** In whole ms as the timeline's offsets count them, so that waits and runs add up to offset differences. */
    private static long millis(Instant from, Instant to) {
        return Math.max(0, to.toEpochMilli() - from.toEpochMilli());
    }
}
