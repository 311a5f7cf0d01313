package dev.hearth.server.jobs;

import dev.hearth.functions.BatchConfig;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.server.releases.Lane;
import dev.hearth.server.workers.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands queued jobs to the workers that long-poll for them: which worker is served first, how many jobs it gets,
 * and their leases, written behind the answer.
 */
final class Dispatch {

    private static final Logger LOG = Logger.getLogger(Dispatch.class.getName());

    private final JobTable table;
    private final Leases leases;
    private final JobEvents events;
    /** See {@link #durableLeases()}. */
    private volatile boolean durableLeases;

    Dispatch(JobTable table, Leases leases, JobEvents events) {
        this.table = table;
        this.leases = leases;
        this.events = events;
    }

    /**
     * Hands a job out only once its lease is durable, instead of writing the lease behind the answer: the leader of
     * several control-plane nodes, whose store refuses the writes of a deposed leader, thus never hands out a job
     * once another node leads (see {@code HearthCluster}). It costs each take the wait for a commit.
     */
    void durableLeases() {
        durableLeases = true;
    }

    /** See {@link JobService#take}. */
    List<Job> take(Worker worker, int max, Duration wait) throws InterruptedException {
        worker.markReady(table.clock.instant());
        long deadline = table.clock.nanoTime() + wait.toNanos();
        if (worker.freeSlots() <= 0 && !worker.awaitFreeSlot(wait)) {
            // a full worker long-polls too: runpod-python with a concurrency_modifier above the function's
            // scaling.concurrency asks again at once after each empty answer (~1,400 takes a second)
            return List.of();
        }
        wait = Duration.ofNanos(Math.max(0, deadline - table.clock.nanoTime()));
        int n = Math.min(max, worker.freeSlots());
        if (n <= 0) {
            return List.of();
        }
        Optional<Lane> lane = table.functions.laneOfWorker(worker.function(), worker.version());
        if (lane.isEmpty()) {
            if (!worker.isDraining()) {
                // Drained, not retired: a worker asking for more while it runs jobs (concurrency > 1) before the
                // rolling release drained it must finish them, not be killed after a short grace and vanish.
                events.drainWorker(worker, "its version " + worker.version() + " is no longer released");
            }
            return List.of();
        }
        LanedQueue q = table.queue(worker.function());
        BatchConfig batch = worker.batch();
        Duration fill = Duration.ZERO;
        if (batch != null) {
            n = Math.min(n, batch.maxSize());
            fill = batch.maxWait();
        }
        // the most recently busy worker first, so that a trickle of jobs leaves the surplus workers idle
        Instant idleSince = worker.idleSince();
        long rank = idleSince == null ? FunctionQueue.BUSY : idleSince.toEpochMilli();
        List<FunctionQueue.Entry> entries = q.poll(n, wait, fill, rank, lane.get(), () -> !worker.isDraining()
                && !worker.isStopping() && table.accepting()
                && lane.equals(table.functions.laneOfWorker(worker.function(), worker.version())));
        if (entries.isEmpty()) {
            return List.of();
        }
        // A worker being scaled down must not be stopped between taking entries and holding their leases.
        if (!worker.beginTake()) {
            entries.reversed().forEach(q::addFirst);
            return List.of();
        }
        try {
            return lease(worker, q, entries);
        } finally {
            worker.endTake();
        }
    }

    private List<Job> lease(Worker worker, LanedQueue q, List<FunctionQueue.Entry> entries) {
        Instant now = table.clock.instant();
        List<Job> next = new ArrayList<>(entries.size());
        List<FunctionQueue.Entry> taken = new ArrayList<>(entries.size());
        for (FunctionQueue.Entry e : entries) {
            Job cur = table.live(e.jobId());
            if (cur == null || cur.state() != JobState.IN_QUEUE) {
                continue;
            }
            if (cur.isBackingOff(now)) {
                q.addDelayed(e, cur.runAfter());
                continue;
            }
            boolean cold = JobTransitions.isColdStart(cur.queuedAt(), worker.readyAt(),
                    worker.jobsTaken() + next.size(), worker.concurrency());
            next.add(JobTransitions.lease(cur, worker.id(), worker.version(), now, now.plus(leases.duration()), cold,
                    cold ? worker.initTimeMs() : 0));
            taken.add(e);
        }
        if (durableLeases) {
            next = leaseDurably(worker, q, next, taken);
        } else {
            leaseBehind(worker, next);
        }
        for (Job job : next) {
            table.put(job);
            leases.put(job.id(), job.leaseExpiresAt());
            worker.jobTaken(job.id());
            events.started(job, worker);
        }
        return next;
    }

    /**
     * Writes the leases and waits: the jobs whose lease the store took are handed out; a lease it refused (a cancel
     * came first) leaves the store's version standing; a failed write (a deposed leader's) hands out nothing and puts
     * the jobs back at the head of the queue.
     */
    private List<Job> leaseDurably(Worker worker, LanedQueue q, List<Job> next, List<FunctionQueue.Entry> taken) {
        if (next.isEmpty()) {
            return next;
        }
        List<Boolean> applied;
        try {
            applied = table.store.updateAllLater(next).join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            LOG.log(Level.WARNING, "could not write " + next.size() + " leases for worker " + worker.id()
                    + "; the jobs stay queued", e.getCause() != null ? e.getCause() : e);
            taken.reversed().forEach(q::addFirst);
            return List.of();
        }
        List<Job> held = new ArrayList<>(next.size());
        for (int i = 0; i < next.size(); i++) {
            if (applied.get(i)) {
                held.add(next.get(i));
            } else {
                table.reload(next.get(i).id());
                Job cur = table.live(next.get(i).id());
                if (cur != null && cur.state() == JobState.IN_QUEUE) {
                    table.enqueue(cur);
                }
            }
        }
        return held;
    }

    private void leaseBehind(Worker worker, List<Job> next) {
        // Handed out before the lease is durable: a lease lost in a crash loses nothing, since a restart sends every
        // in-progress job back to the queue. The worker's result is written after the lease (the store keeps order).
        table.store.updateAllLater(next).whenComplete((applied, error) -> {
            if (error != null || applied.contains(false)) {
                Thread.ofVirtual().name("hearth-lease-refused").start(() -> leasesRefused(worker, next, applied, error));
            }
        });
    }

    /**
     * Leases the store did not take: the job changed meanwhile (a cancel that came first), or the write failed. The
     * store's version stands; the worker is told to drop the job, and its result will be refused.
     */
    private void leasesRefused(Worker worker, List<Job> next, List<Boolean> applied, Throwable error) {
        if (error != null) {
            LOG.log(Level.WARNING, "could not write " + next.size() + " leases of worker " + worker.id()
                    + "; the worker is told to drop those jobs", error);
        }
        Instant now = table.clock.instant();
        for (int i = 0; i < next.size(); i++) {
            Job job = next.get(i);
            if (error == null && applied.get(i)) {
                continue;
            }
            table.reload(job.id());
            Job cur = table.live(job.id());
            if (cur == null || cur.state() != JobState.IN_PROGRESS || !worker.id().equals(cur.workerId())) {
                leases.remove(job.id());
                worker.requestStop(job.id());
                worker.jobReleased(job.id(), now, false);
                if (cur != null && cur.state() == JobState.IN_QUEUE) {
                    table.enqueue(cur);
                }
            }
        }
    }
}
