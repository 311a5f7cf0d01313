package dev.hearth.server.jobs;

import dev.hearth.errors.HearthException;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.server.workers.Worker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What workers post about the jobs they hold: progress, stream chunks and results, each refused with a 409 unless the
 * worker still holds the job's lease. A result is written with compare-and-set and only then made visible.
 */
final class ResultIntake {

    private final JobTable table;
    private final Leases leases;
    private final Waiters waiters;
    private final Outcomes outcomes;
    private final JobEvents events;

    ResultIntake(JobTable table, Leases leases, Waiters waiters, Outcomes outcomes, JobEvents events) {
        this.table = table;
        this.leases = leases;
        this.waiters = waiters;
        this.outcomes = outcomes;
        this.events = events;
    }

    /** See {@link JobService#result}. */
    void result(Worker worker, String jobId, WorkerResult r) {
        Job cur = requireLease(worker, jobId);
        Instant now = table.clock.instant();
        leases.renew(jobId, now);
        if (r.progress()) {
            if (r.output() != null) {
                waiters.progressed(jobId, r.output());
            }
            events.progressed(cur, worker, r.output());
            return;
        }
        String out = waiters.finalOutput(jobId, r);
        Optional<Job> next = table.change(jobId, j -> resultState(worker, j, out, r, now));
        if (next.isEmpty()) {
            throw leaseLost(worker, jobId, table.find(jobId).orElse(cur));
        }
        worker.jobReleased(next.get().id(), now, next.get().state() != JobState.IN_QUEUE);
        published(worker, next.get(), r);
    }

    /** See {@link JobService#acceptResults}. */
    AcceptedResults accept(Worker worker, List<JobService.ResultItem> items) {
        List<HearthException> refused = new ArrayList<>(Collections.nCopies(items.size(), null));
        List<JobService.ResultItem> accepted = new ArrayList<>(items.size());
        List<Job> next = new ArrayList<>(items.size());
        Instant now = table.clock.instant();
        for (int i = 0; i < items.size(); i++) {
            JobService.ResultItem item = items.get(i);
            WorkerResult r = item.result();
            if (r.progress()) {
                refused.set(i, refusal(() -> result(worker, item.jobId(), r)));
                continue;
            }
            Job cur;
            try {
                cur = requireLease(worker, item.jobId());
            } catch (HearthException e) {
                refused.set(i, e);
                continue;
            }
            leases.renew(cur.id(), now);
            Job n = resultState(worker, cur, waiters.finalOutput(cur.id(), r), r, now);
            if (n == null) {
                refused.set(i, leaseLost(worker, cur.id(), cur));
                continue;
            }
            accepted.add(item);
            next.add(n);
        }
        CompletableFuture<List<Boolean>> written = next.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : table.store.updateAllLater(next);
        for (Job job : next) {
            worker.jobReleased(job.id(), now, job.state() != JobState.IN_QUEUE);
        }
        return new AcceptedResults(this, worker, refused, accepted, next, written);
    }

    /** The results of a batch that were durably written become visible; see {@link AcceptedResults#publish()}. */
    void publish(Worker worker, List<JobService.ResultItem> accepted, List<Job> next, List<Boolean> applied) {
        for (int k = 0; k < next.size(); k++) {
            Job job = next.get(k);
            JobService.ResultItem item = accepted.get(k);
            if (!applied.get(k)) {
                // decided again one by one; the worker has had its answer, so a refusal now only drops it
                table.reload(job.id());
                refusal(() -> result(worker, item.jobId(), item.result()));
                continue;
            }
            table.keep(job);
            published(worker, job, item.result());
        }
    }

    void streamChunk(Worker worker, String jobId, String chunkJson) {
        requireLease(worker, jobId);
        waiters.chunk(jobId, chunkJson);
    }

    private static HearthException refusal(Runnable r) {
        try {
            r.run();
            return null;
        } catch (HearthException e) {
            return e;
        }
    }

    /** The job after a final result from the worker, or null if the worker no longer holds it. */
    private Job resultState(Worker worker, Job j, String out, WorkerResult r, Instant now) {
        if (j.state() != JobState.IN_PROGRESS || !worker.id().equals(j.workerId())) {
            return null;
        }
        if (r.error() == null) {
            return JobTransitions.complete(j, out, now);
        }
        return j.hasRetriesLeft() ? JobTransitions.requeue(withError(j, r.error()), table.retryAt(j))
                : JobTransitions.fail(j, out, r.error(), now);
    }

    private void published(Worker worker, Job job, WorkerResult r) {
        if (job.state() == JobState.IN_QUEUE) {
            outcomes.requeued(job, "handler error: " + r.error());
        } else {
            outcomes.finished(job);
        }
        if (r.stopPod()) {
            events.retireWorker(worker, "the worker asked to be replaced (stopPod)");
        }
    }

    private Job requireLease(Worker worker, String jobId) {
        Job cur = table.live(jobId);
        if (cur == null || cur.state() != JobState.IN_PROGRESS || !worker.id().equals(cur.workerId())) {
            throw leaseLost(worker, jobId, cur != null ? cur : table.find(jobId).orElse(null));
        }
        return cur;
    }

    private static HearthException leaseLost(Worker worker, String jobId, Job job) {
        String state = job == null ? "unknown" : job.state() + (job.workerId() != null
                && !job.workerId().equals(worker.id()) ? " on worker " + job.workerId() : "");
        return new HearthException.Conflict("worker " + worker.id() + " does not hold the lease of job " + jobId
                + " (job is " + state + "); the result is refused");
    }

    private static Job withError(Job j, String error) {
        return new Job(j.id(), j.function(), j.version(), j.state(), j.input(), j.output(), error, j.webhook(),
                j.policy(), j.attempts(), j.maxRetries(), j.workerId(), j.leaseExpiresAt(), j.queuedAt(),
                j.placedAt(), j.finishedAt(), j.coldStart(), j.initTimeMs(), j.revision());
    }
}
