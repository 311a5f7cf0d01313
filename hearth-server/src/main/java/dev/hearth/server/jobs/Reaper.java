package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leases and their end: heartbeats renew them; a lease that runs out, a worker that is gone or a node whose grace
 * period ended send the job back to the queue (or fail it); execution timeouts and TTLs end jobs from here too.
 */
final class Reaper {

    private final JobTable table;
    private final Leases leases;
    private final Waiters waiters;
    private final Outcomes outcomes;
    private final WorkerRegistry workers;
    private final JobEvents events;
    /** Timed-out jobs whose workers were told to stop them, by job id: see {@link #checkTimedOut}. */
    private final ConcurrentHashMap<String, TimedOut> timedOut = new ConcurrentHashMap<>();
    private Instant nextTtlScan = Instant.MIN;

    Reaper(JobTable table, Leases leases, Waiters waiters, Outcomes outcomes, WorkerRegistry workers,
           JobEvents events) {
        this.table = table;
        this.leases = leases;
        this.waiters = waiters;
        this.outcomes = outcomes;
        this.workers = workers;
        this.events = events;
    }

    /** See {@link JobService#heartbeat}. */
    void heartbeat(Worker worker, Set<String> held) {
        worker.reported(held);
        Instant until = table.clock.instant().plus(leases.duration());
        for (String id : worker.inFlight()) {
            if (held.contains(id)) {
                leases.extend(id, until);
            }
        }
    }

    /** The worker is gone (process exited, or replaced): its jobs go back to the queue or fail. */
    void workerLost(Worker worker, String reason) {
        for (String id : worker.inFlight()) {
            leaseLost(id, worker.id(), reason);
        }
    }

    /** Periodic housekeeping: expired leases, execution timeouts, TTLs. */
    void reap() {
        Instant now = table.clock.instant();
        for (Map.Entry<String, Instant> lease : leases.entries()) {
            if (lease.getValue().isBefore(now)) {
                Job j = table.live(lease.getKey());
                if (j != null && j.state() == JobState.IN_PROGRESS) {
                    leaseLost(j.id(), j.workerId(), "worker " + j.workerId() + " stopped sending heartbeats");
                }
            }
        }
        for (String id : leases.jobIds()) {
            Job j = table.live(id);
            if (j != null && j.state() == JobState.IN_PROGRESS
                    && j.placedAt().plus(j.policy().executionTimeout()).isBefore(now)) {
                timeOut(j);
            }
        }
        if (!timedOut.isEmpty()) {
            checkTimedOut(now);
        }
        // TTLs are hours long: a scan of every waiting job once a second is plenty.
        if (now.isAfter(nextTtlScan)) {
            nextTtlScan = now.plusSeconds(1);
            waiters.reapUnread();
            for (Job j : table.all()) {
                if (j.expiresAt().isBefore(now)) {
                    expire(j);
                }
            }
        }
    }

    private void timeOut(Job j) {
        Optional<Job> next = table.change(j.id(), cur -> cur.state() == JobState.IN_PROGRESS
                ? JobTransitions.timeOut(cur, table.clock.instant()) : null);
        next.ifPresent(job -> {
            workers.find(j.workerId()).ifPresent(w -> {
                w.requestStop(j.id());
                w.jobReleased(j.id(), table.clock.instant(), false);
                // replaced only if it does not stop the job: its pings must stop reporting it within a lease
                timedOut.put(j.id(), new TimedOut(w, j.policy().executionTimeout(),
                        table.clock.instant().plus(leases.duration())));
            });
            outcomes.finished(job);
        });
    }

    /** A job that timed out on a worker told to stop it: the worker is kept if it stops the job by {@code until}. */
    private record TimedOut(Worker worker, Duration timeout, Instant until) {
    }

    /** Workers that stopped their timed-out job in time are kept; those still holding it after a lease are replaced. */
    private void checkTimedOut(Instant now) {
        for (Iterator<Map.Entry<String, TimedOut>> it = timedOut.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, TimedOut> e = it.next();
            TimedOut t = e.getValue();
            if (t.worker().hasExited() || !t.worker().stillHolds(e.getKey())) {
                it.remove();
            } else if (now.isAfter(t.until())) {
                it.remove();
                events.retireWorker(t.worker(), "job " + e.getKey() + " exceeded its execution timeout of "
                        + t.timeout().toMillis() + " ms and the worker did not stop it within "
                        + leases.duration().toMillis() + " ms");
            }
        }
    }

    private void expire(Job j) {
        if (!table.store.delete(j.id())) {
            return;
        }
        table.remove(j.id());
        leases.remove(j.id());
        table.queue(j.function()).remove(j.id());
        if (j.state() == JobState.IN_PROGRESS && j.workerId() != null) {
            workers.find(j.workerId()).ifPresent(w -> {
                w.requestStop(j.id());
                w.jobReleased(j.id(), table.clock.instant(), false);
            });
        }
        waiters.removed(j.id());
        events.removed(j);
    }

    private void leaseLost(String jobId, String workerId, String reason) {
        Instant now = table.clock.instant();
        Optional<Job> next = table.change(jobId, j -> {
            if (j.state() != JobState.IN_PROGRESS || !workerId.equals(j.workerId())) {
                return null;
            }
            // A graceful shutdown is not the job's fault: its attempt does not count against its retries.
            if (!table.accepting()) {
                return JobTransitions.handBack(j);
            }
            return j.hasRetriesLeft() ? JobTransitions.requeue(j, table.retryAt(j))
                    : JobTransitions.fail(j, null, reason, now);
        });
        workers.find(workerId).ifPresent(w -> w.jobReleased(jobId, now, false));
        next.ifPresent(job -> {
            if (job.state() == JobState.IN_QUEUE) {
                outcomes.requeued(job, reason);
            } else {
                outcomes.finished(job);
            }
        });
    }

    /** See {@link JobService#handBack}. */
    int handBack(Worker worker, String reason) {
        int n = 0;
        Instant now = table.clock.instant();
        for (String id : worker.inFlight()) {
            Optional<Job> back = table.change(id, j -> j.state() == JobState.IN_PROGRESS
                    && worker.id().equals(j.workerId()) ? JobTransitions.handBack(j) : null);
            worker.requestStop(id);
            worker.jobReleased(id, now, false);
            if (back.isPresent()) {
                outcomes.requeued(back.get(), reason);
                n++;
            }
        }
        return n;
    }
}
