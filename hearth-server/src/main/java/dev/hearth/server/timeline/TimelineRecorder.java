package dev.hearth.server.timeline;

import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventStore;
import dev.hearth.jobs.JobEventType;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.workers.Worker;
import dev.hearth.time.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records each job's timeline (queued, worker started, leased, progress, requeued, final) from the job events, and
 * writes it to the {@link JobEventStore} in the background, in batches.
 *
 * <p>Why not in the job's own transaction: the timeline is an observation, the job row stays the truth. Writing
 * events beside every job update would put them on the dispatch path (one more row in each commit, and a new port
 * for every job write); here they cost the job path only a queue offer. The price: a crash of the control plane can
 * lose the events of its last few milliseconds (the job itself is never lost), and a store that cannot keep up drops
 * events (counted in {@link #dropped()}) rather than slowing jobs down. Reads see events not yet written: a timeline
 * is complete as soon as the job event happened.
 *
 * <p>Each lease and each end of an attempt also records the size of the worker's log file at that moment, so the
 * bytes between them are what the worker printed while it ran the job (see {@code JobLogs}).
 */
public final class TimelineRecorder implements JobEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TimelineRecorder.class.getName());
    private static final int QUEUE_CAPACITY = 100_000;
    private static final int MAX_BATCH = 1000;
    /** How long the writer waits after the first event for more to write with it. */
    private static final long LINGER_MS = 20;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final int MAX_PROGRESS_DETAIL = 200;
    private static final long SHARED_LOG_SIZE_TTL_NANOS = 1_000_000;
    private static final JobEvent STOP = new JobEvent("-", -1, Instant.EPOCH, JobEventType.QUEUED, 0, null, null,
            null, null, null, null, null);

    private final JobEventStore store;
    private final Ticker clock;
    private final BiFunction<String, String, Path> logFiles;
    private final AtomicLong seq = new AtomicLong();
    private final BlockingQueue<JobEvent> pending = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Object handOff = new Object();
    private final LongAdder dropped = new LongAdder();
    /** The running attempt of each job: which worker holds it, for the events that end the attempt. */
    private final ConcurrentHashMap<String, Lease> leases = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> lastProgress = new ConcurrentHashMap<>();
    private final Thread writer;
    private volatile List<JobEvent> writing = List.of();

    private record Lease(String workerId, String node, String function, boolean sharedLog) {
    }

    /**
     * The log size of each worker that runs several jobs at once, read at most once a millisecond: its jobs share
     * its log anyway (see {@code JobLogs}), and a batch of leases and results would otherwise read the size of the
     * same file once per job (a system call each, ~2% of the control plane's CPU at saturation).
     */
    private final ConcurrentHashMap<String, long[]> sharedLogSizes = new ConcurrentHashMap<>();

    /**
     * @param logFiles    the log file of (function, worker id)
     */
    public TimelineRecorder(JobEventStore store, Ticker clock,
                            BiFunction<String, String, Path> logFiles) {
        this.store = store;
        this.clock = clock;
        this.logFiles = logFiles;
        this.writer = Thread.ofPlatform().name("hearth-timeline-writer").daemon().start(this::writeLoop);
    }

    @Override
    public void submitted(Job job) {
        // also after /retry, which queues the job again with a new queue time and its attempts reset
        record(new JobEvent(job.id(), seq.incrementAndGet(), job.queuedAt(), JobEventType.QUEUED, job.attempts(),
                null, null, job.version(), null, null, null, null));
    }

    @Override
    public void started(Job job, Worker worker) {
        String node = worker.node();
        boolean shared = worker.concurrency() > 1;
        Long offset = logSize(job.function(), worker.id(), shared);
        if (job.coldStart()) {
            // the detail names where the start went (ColdStartPhases), when the worker reported it
            var phases = worker.coldStartPhases();
            record(new JobEvent(job.id(), seq.incrementAndGet(), worker.startedAt(), JobEventType.WORKER_STARTED,
                    job.attempts(), worker.id(), node, worker.version(), null, worker.initTimeMs(), null,
                    startDetail(phases == null ? null : phases.detail(), worker.cache())));
        }
        leases.put(job.id(), new Lease(worker.id(), node, job.function(), shared));
        record(new JobEvent(job.id(), seq.incrementAndGet(), job.placedAt(), JobEventType.LEASED, job.attempts(),
                worker.id(), node, worker.version(), job.coldStart(), job.coldStart() ? job.initTimeMs() : null,
                offset, null));
    }

    /** The phases of a cold start and, for a worker on another machine, whether its node's cache was warm. */
    static String startDetail(String phases, String cache) {
        if (cache == null) {
            return phases;
        }
        return phases == null ? cache : phases + "; " + cache;
    }

    @Override
    public void progressed(Job job, Worker worker, String progress) {
        Instant now = clock.instant();
        Instant last = lastProgress.get(job.id());
        if (last != null && Duration.between(last, now).compareTo(PROGRESS_EVERY) < 0) {
            return; // a chatty worker must not fill the store; one progress step a second tells the story
        }
        lastProgress.put(job.id(), now);
        String detail = progress == null || progress.length() <= MAX_PROGRESS_DETAIL ? progress
                : progress.substring(0, MAX_PROGRESS_DETAIL) + "...";
        record(new JobEvent(job.id(), seq.incrementAndGet(), now, JobEventType.PROGRESS, job.attempts(), worker.id(),
                worker.node(), worker.version(), null, null, null, detail));
    }

    @Override
    public void requeued(Job job, String reason) {
        Lease lease = leases.remove(job.id());
        lastProgress.remove(job.id());
        record(new JobEvent(job.id(), seq.incrementAndGet(), clock.instant(), JobEventType.REQUEUED, job.attempts(),
                lease == null ? null : lease.workerId(), lease == null ? null : lease.node(), job.version(), null,
                null, lease == null ? null : logSize(lease.function(), lease.workerId(), lease.sharedLog()), reason));
    }

    @Override
    public void removed(Job job) {
        leases.remove(job.id());
        lastProgress.remove(job.id());
    }

    @Override
    public void finished(Job job) {
        Lease lease = leases.remove(job.id());
        lastProgress.remove(job.id());
        String workerId = lease != null ? lease.workerId() : job.workerId();
        Instant at = job.finishedAt() != null ? job.finishedAt() : clock.instant();
        record(new JobEvent(job.id(), seq.incrementAndGet(), at, JobEventType.finalFor(job.state()), job.attempts(),
                workerId, lease == null ? null : lease.node(), job.version(), null, null,
                workerId == null ? null : logSize(job.function(), workerId, lease != null && lease.sharedLog()),
                job.error()));
    }

    /** A job's timeline so far, oldest first: what the store has plus what is still on its way there. */
    public List<JobEvent> timeline(String jobId) {
        List<JobEvent> unwritten = new ArrayList<>();
        synchronized (handOff) {
            // the writer moves events from pending to writing under the same lock, so none is missed in between
            for (JobEvent e : pending) {
                if (e.jobId().equals(jobId)) {
                    unwritten.add(e);
                }
            }
            for (JobEvent e : writing) {
                if (e.jobId().equals(jobId)) {
                    unwritten.add(e);
                }
            }
        }
        List<JobEvent> all = new ArrayList<>(store.events(jobId));
        Set<Long> seen = new HashSet<>();
        all.forEach(e -> seen.add(e.seq()));
        for (JobEvent e : unwritten) {
            if (!seen.contains(e.seq())) {
                all.add(e);
            }
        }
        return inOrder(all);
    }

    /**
     * Sorts a job's events by time, and within a millisecond by {@code seq}, the order the recorder saw them in (seq
     * restarts with each control plane, so it orders only events of one run). One exception: a job handed to a worker
     * that was already waiting can be seen leased a moment before its submission is seen, so within a millisecond a
     * {@code queued} event comes before the rest of its round (the events up to the next final one; a {@code /retry}
     * queues the job again after a final event, and stays after it).
     */
    static List<JobEvent> inOrder(List<JobEvent> events) {
        List<JobEvent> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(JobEvent::at).thenComparingLong(JobEvent::seq));
        Map<JobEvent, Integer> round = new IdentityHashMap<>();
        int finals = 0;
        for (JobEvent e : sorted) {
            round.put(e, finals);
            if (e.type().isFinal()) {
                finals++;
            }
        }
        sorted.sort(Comparator.comparing(JobEvent::at)
                .thenComparingInt(round::get)
                .thenComparingInt(e -> e.type() == JobEventType.QUEUED ? 0 : 1)
                .thenComparingLong(JobEvent::seq));
        return sorted;
    }

    /**
     * The timeline of a job known to be in a final state. The state becomes visible to clients a moment before the
     * final event reaches this recorder, so a caller that just saw the final state waits briefly (at most a second)
     * for the event rather than showing a timeline without its end.
     */
    public List<JobEvent> finalTimeline(String jobId) {
        List<JobEvent> t = timeline(jobId);
        for (int i = 0; i < 50 && !endsFinal(t); i++) {
            try {
                clock.sleep(Duration.ofMillis(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return t;
            }
            t = timeline(jobId);
        }
        return t;
    }

    private static boolean endsFinal(List<JobEvent> t) {
        return !t.isEmpty() && t.getLast().type().isFinal();
    }

    /** Events not recorded because the store could not keep up or failed. */
    public long dropped() {
        return dropped.sum();
    }

    /** Writes what is pending, then stops the writer. Call before the store closes. */
    @Override
    public void close() {
        if (!pending.offer(STOP)) {
            writer.interrupt();
        }
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(JobEvent event) {
        if (!pending.offer(event)) {
            dropped.increment();
        }
    }

    private void writeLoop() {
        List<JobEvent> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            JobEvent first;
            try {
                first = pending.take();
                if (first != STOP) {
                    synchronized (handOff) {
                        writing = List.of(first); // out of pending, so readers must find it here
                    }
                    // Let the events of the next moments join this batch: readers see unwritten events anyway (see
                    // timeline()), and a commit per event or two would compete with the jobs' own writes for the
                    // store's one writer and wake this thread three times per job.
                    Thread.sleep(LINGER_MS);
                }
            } catch (InterruptedException e) {
                return;
            }
            boolean stop;
            synchronized (handOff) {
                batch.clear();
                batch.add(first);
                pending.drainTo(batch, MAX_BATCH - 1);
                stop = batch.remove(STOP);
                writing = List.copyOf(batch);
            }
            try {
                if (!batch.isEmpty()) {
                    store.appendEvents(batch);
                }
            } catch (RuntimeException e) {
                dropped.add(batch.size());
                LOG.log(Level.WARNING, "could not record " + batch.size() + " job timeline events: " + e.getMessage());
            } finally {
                writing = List.of();
            }
            if (stop) {
                if (!pending.isEmpty()) {
                    pending.offer(STOP); // written before stopping: more came in while closing
                    continue;
                }
                return;
            }
        }
    }


    private Long logSize(String function, String workerId, boolean shared) {
        if (!shared) {
            return LogSlice.size(logFiles.apply(function, workerId));
        }
        long now = clock.nanoTime();
        long[] cached = sharedLogSizes.get(workerId);
        if (cached != null && now - cached[1] < SHARED_LOG_SIZE_TTL_NANOS) {
            return cached[0];
        }
        long size = LogSlice.size(logFiles.apply(function, workerId));
        if (sharedLogSizes.size() > 10_000) {
            sharedLogSizes.clear(); // workers come and go; this only keeps the map from growing with them
        }
        sharedLogSizes.put(workerId, new long[] {size, now});
        return size;
    }
}
