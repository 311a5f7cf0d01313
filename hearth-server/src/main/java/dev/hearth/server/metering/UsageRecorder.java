package dev.hearth.server.metering;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import dev.hearth.metering.UsageStore;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerObserver;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns workers' lives into usage intervals and jobs' runs into job costs, and writes them to the store.
 *
 * <p>Each worker has one open interval, in the kind the worker reports ({@link Worker#usageKind()}); every change of
 * kind closes it and opens the next, so a worker's intervals cover its life from launch to exit without gaps. Closed
 * intervals are handed to the {@link UsageSink}s at once (budgets, metrics) and written to the store in batches by
 * {@link #flush()}, which the control plane runs every second and at shutdown, so the job path never waits on a
 * usage write. An interval open longer than {@link #CHECKPOINT} is cut at {@link #checkpoint()}: after a crash
 * (kill -9) the usage lost is what was not yet flushed, at most the last checkpoint period of each worker plus one
 * second of closed intervals; a graceful stop loses nothing.
 */
public final class UsageRecorder implements JobEvents, WorkerObserver {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class.getName());
    /** Longest an interval stays open: bounds what a crash loses and keeps per-day reports honest. */
    public static final Duration CHECKPOINT = Duration.ofSeconds(60);

    private final UsageStore store;
    private final Supplier<dev.hearth.metering.PriceCatalog> catalog;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Tracker> trackers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Attempt> attempts = new ConcurrentHashMap<>();
    private final List<UsageSink> sinks = new CopyOnWriteArrayList<>();
    private final Object pendingLock = new Object();
    /**
     * Held for a whole flush, so a report that flushes before reading the store waits for a flush already writing
     * (the periodic one) instead of finding nothing pending and reading the store before that write lands.
     */
    private final ReentrantLock flushing = new ReentrantLock();
    private List<UsageInterval> pendingIntervals = new ArrayList<>();
    private List<JobCost> pendingJobs = new ArrayList<>();

    public UsageRecorder(UsageStore store, Supplier<dev.hearth.metering.PriceCatalog> catalog, InstantSource clock) {
        this.store = store;
        this.catalog = catalog;
        this.clock = clock;
    }

    public void addSink(UsageSink sink) {
        sinks.add(sink);
    }

    // ---------------------------------------------------------------- workers

    @Override
    public void started(Worker worker, FunctionVersion fn, boolean alwaysOn) {
        Resources resources = worker.gpus().isEmpty() ? Resources.cpu(fn.manifest().cpu())
                : Resources.gpus(worker.gpus().getFirst().type(), worker.gpus().size(), fn.manifest().cpu());
        String node = worker.node();
        Tracker t = new Tracker(worker, node, resources, alwaysOn ? PriceTier.ALWAYS_ON : PriceTier.ON_DEMAND,
                worker.startedAt());
        trackers.put(worker.id(), t);
        worker.onUsageChange(this::workerChanged);
        workerChanged(worker);
    }

    private void workerChanged(Worker worker) {
        Tracker t = trackers.get(worker.id());
        if (t != null) {
            t.update(clock.instant());
        }
    }

    /** Cuts intervals open longer than {@link #CHECKPOINT}, so that they reach the store. */
    public void checkpoint() {
        Instant now = clock.instant();
        for (Tracker t : trackers.values()) {
            t.cutIfOlderThan(now, CHECKPOINT);
        }
    }

    // ---------------------------------------------------------------- jobs

    @Override
    public void started(Job job, Worker worker) {
        Tracker t = trackers.get(worker.id());
        if (t == null) {
            return;
        }
        Instant start = job.placedAt() != null ? job.placedAt() : clock.instant();
        attempts.put(job.id(), new Attempt(job.function(), job.attempts(), job.version(), worker.id(), t.resources,
                t.tier, start));
    }

    @Override
    public void requeued(Job job, String reason) {
        closeAttempt(job, clock.instant());
    }

    @Override
    public void finished(Job job) {
        closeAttempt(job, job.finishedAt() != null ? job.finishedAt() : clock.instant());
    }
    @Override
    public void removed(Job job) {
        attempts.remove(job.id());
    }

    private void closeAttempt(Job job, Instant end) {
        Attempt a = attempts.remove(job.id());
        if (a == null) {
            return;
        }
        Instant until = end.isBefore(a.start) ? a.start : end;
        JobCost cost = JobCost.priced(job.id(), a.number, job.function(), a.version, a.workerId, a.resources, a.tier,
                a.start, until, catalog.get());
        for (UsageSink s : sinks) {
            try {
                s.jobCost(cost);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "usage sink " + s.getClass().getSimpleName() + " failed", e);
            }
        }
        synchronized (pendingLock) {
            pendingJobs.add(cost);
        }
    }

    // ---------------------------------------------------------------- store

    /** Writes what was closed since the last flush; on a store failure it is kept for the next one. */
    public void flush() {
        flushing.lock();
        try {
            flushPending();
        } finally {
            flushing.unlock();
        }
    }

    private void flushPending() {
        List<UsageInterval> intervals;
        List<JobCost> jobs;
        synchronized (pendingLock) {
            if (pendingIntervals.isEmpty() && pendingJobs.isEmpty()) {
                return;
            }
            intervals = pendingIntervals;
            jobs = pendingJobs;
            pendingIntervals = new ArrayList<>();
            pendingJobs = new ArrayList<>();
        }
        try {
            store.record(intervals, jobs);
        } catch (RuntimeException e) {
            synchronized (pendingLock) {
                intervals.addAll(pendingIntervals);
                jobs.addAll(pendingJobs);
                pendingIntervals = intervals;
                pendingJobs = jobs;
            }
            throw e;
        }
    }

    /** The intervals still open, as if they closed now: what running workers have cost so far. */
    public List<UsageInterval> openIntervals() {
        Instant now = clock.instant();
        List<UsageInterval> out = new ArrayList<>();
        for (Tracker t : trackers.values()) {
            UsageInterval i = t.openSoFar(now);
            if (i != null) {
                out.add(i);
            }
        }
        return out;
    }

    /** At shutdown, after the workers have stopped: closes what is still open and writes everything. */
    public void close() {
        Instant now = clock.instant();
        for (Tracker t : trackers.values()) {
            t.closeAll(now);
        }
        flush();
    }

    private void closed(UsageInterval interval) {
        if (interval.millis() == 0) {
            return; // a change of kind within the same millisecond: nothing was billed
        }
        for (UsageSink s : sinks) {
            try {
                s.interval(interval);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "usage sink " + s.getClass().getSimpleName() + " failed", e);
            }
        }
        synchronized (pendingLock) {
            pendingIntervals.add(interval);
        }
    }

    private record Attempt(String function, int number, int version, String workerId, Resources resources, PriceTier tier,
                           Instant start) {
    }

    /** One worker's open interval. */
    private final class Tracker {
        final Worker worker;
        final String node;
        final Resources resources;
        final PriceTier tier;
        UsageKind kind = UsageKind.STARTING;
        Instant since;
        boolean done;

        Tracker(Worker worker, String node, Resources resources, PriceTier tier, Instant since) {
            this.worker = worker;
            this.node = node;
            this.resources = resources;
            this.tier = tier;
            this.since = since;
        }

        synchronized void update(Instant now) {
            if (done) {
                return;
            }
            UsageKind next = worker.usageKind();
            if (next == kind) {
                return;
            }
            Instant at = now.isBefore(since) ? since : now;
            closed(interval(at));
            if (next == null) {
                done = true;
                trackers.remove(worker.id(), this);
            } else {
                kind = next;
                since = at;
            }
        }

        synchronized void cutIfOlderThan(Instant now, Duration limit) {
            if (!done && since.plus(limit).isBefore(now)) {
                closed(interval(now));
                since = now;
            }
        }

        synchronized UsageInterval openSoFar(Instant now) {
            return done ? null : interval(now.isBefore(since) ? since : now);
        }

        synchronized void closeAll(Instant now) {
            if (!done) {
                closed(interval(now.isBefore(since) ? since : now));
                done = true;
                trackers.remove(worker.id(), this);
            }
        }

        private UsageInterval interval(Instant end) {
            return UsageInterval.priced(worker.id(), worker.function(), worker.version(), node, resources, tier, kind,
                    since, end, catalog.get());
        }
    }
}
