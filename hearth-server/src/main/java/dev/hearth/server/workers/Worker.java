package dev.hearth.server.workers;

import dev.hearth.metering.UsageKind;
import dev.hearth.functions.BatchConfig;
import dev.hearth.placement.Gpu;
import dev.hearth.scaling.ColdStartPhases;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.scaling.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One worker process as the control plane tracks it: the jobs it holds, whether it is still starting, and the jobs
 * it must be told to stop. Thread-safe; mutated by the HTTP threads that serve its calls and by the worker pool.
 */
public final class Worker {

    private final String id;
    private final String function;
    private final int version;
    private final String token;
    private final List<Gpu> gpus;
    private final String node;
    private final int concurrency;
    private final BatchConfig batch;
    private final Instant startedAt;
    private final Instant launchedAt;
    private final boolean pooled;
    private volatile long[] bootMarks;
    private volatile ColdStartPhases phases;
    private volatile String cache;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Jobs to list in the stop channel's next answer (guarded by this). */
    private final java.util.LinkedHashSet<String> jobsToStop = new java.util.LinkedHashSet<>();
    /**
     * Jobs the worker was told to stop and still reported holding at its last ping (guarded by this): listed again
     * after each such ping, since runpod-python ignores a stop for a job whose task it has not created yet.
     */
    private final Set<String> stopRequested = new java.util.HashSet<>();
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
    private volatile WorkerPhase phase = WorkerPhase.STARTING;
    private volatile Instant readyAt;
    private volatile Instant idleSince;
    private volatile long jobsTaken;
    private volatile long jobsDone;
    private volatile boolean exited;
    private volatile String startFailure;
    private int taking;
    private volatile java.util.function.Consumer<Worker> usageListener;

    Worker(String id, String function, int version, String token, List<Gpu> gpus, String node, int concurrency,
           BatchConfig batch, Instant startedAt) {
        this(id, function, version, token, gpus, node, concurrency, batch, startedAt, startedAt, false);
    }

    /**
     * @param startedAt  when it became a worker of the function: launched, or given its GPUs after pre-initializing
     * @param launchedAt when its process was launched
     * @param pooled     a pre-initialized process waiting in the pool (not a worker yet: it takes no jobs)
     */
    Worker(String id, String function, int version, String token, List<Gpu> gpus, String node, int concurrency,
           BatchConfig batch, Instant startedAt, Instant launchedAt, boolean pooled) {
        this.id = id;
        this.function = function;
        this.version = version;
        this.token = token;
        this.gpus = List.copyOf(gpus);
        this.node = node;
        this.concurrency = concurrency;
        this.batch = batch;
        this.startedAt = startedAt;
        this.launchedAt = launchedAt;
        this.pooled = pooled;
    }

    /** A pre-initialized process of the pool, holding no GPU, rather than a worker. */
    public boolean isPooled() {
        return pooled;
    }

    /** Whether it was a pre-initialized process given its GPUs ({@link #startedAt()} is then that moment). */
    public boolean wasPreinitialized() {
        return !launchedAt.equals(startedAt);
    }

    /**
     * What its node's cache held at its start, as its bootstrap reported it: {@code warm cache}, or {@code cold cache
     * (bundle, environment)} naming what had to be fetched or built; null for a worker that reports none (a local one).
     */
    public String cache() {
        return cache;
    }

    /** The first report counts: a bootstrap reports once. */
    public void cache(String reported) {
        if (cache == null) {
            cache = reported;
        }
    }

    /** Where its cold start went, once it took its first job; null if it reported no phases. */
    public ColdStartPhases coldStartPhases() {
        return phases;
    }

    /** The moments of its start the worker reported (see {@link ColdStartPhases#of}); the first report counts. */
    void bootMarks(long[] marks) {
        if (bootMarks == null && marks != null) {
            bootMarks = marks;
        }
    }

    public String id() {
        return id;
    }

    public String function() {
        return function;
    }

    public int version() {
        return version;
    }

    String token() {
        return token;
    }

    public List<Gpu> gpus() {
        return gpus;
    }

    /** The node it was placed on. */
    public String node() {
        return node;
    }

    /** Its version's batching ({@code batch} in the manifest), or null: what each of its takes hands it. */
    public BatchConfig batch() {
        return batch;
    }

    public int concurrency() {
        return concurrency;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public WorkerPhase phase() {
        return phase;
    }

    public Instant readyAt() {
        return readyAt;
    }

    public boolean isDraining() {
        return phase == WorkerPhase.DRAINING || exited;
    }

    public boolean hasExited() {
        return exited;
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    public Set<String> inFlight() {
        return Set.copyOf(inFlight);
    }

    public boolean holds(String jobId) {
        return inFlight.contains(jobId);
    }

    public long jobsTaken() {
        return jobsTaken;
    }

    public long jobsDone() {
        return jobsDone;
    }

    /**
     * Whether its process is being stopped (SIGTERM sent, or about to be): its long-polls are answered at once, so
     * that it can exit instead of waiting for them (runpod-python waits for its open requests).
     */
    public boolean isStopping() {
        return stopping || exited;
    }

    /** The pool is stopping its process: pending long-polls end now. */
    public synchronized void markStopping() {
        stopping = true;
        notifyAll();
    }

    /**
     * Waits up to {@code wait} for a free job slot (a worker whose own concurrency exceeds its function's takes
     * again as soon as it finishes a job: it would otherwise ask again and again); false if none freed or it drains.
     */
    public synchronized boolean awaitFreeSlot(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (freeSlots() <= 0 && !isDraining() && !isStopping()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return freeSlots() > 0;
    }

    /** A request that named this worker carried a wrong token; returns how many in a row. */
    public int refused() {
        return refusals.incrementAndGet();
    }

    /** A request of its own authenticated: the refusals in a row start again. */
    public void accepted() {
        if (refusals.get() != 0) {
            refusals.set(0);
        }
    }

    /** Since when it has had no job in flight; null while it runs one (or before it is ready). */
    public Instant idleSince() {
        return idleSince;
    }

    /** Free job slots: how many more jobs this worker may take now. */
    public int freeSlots() {
        return isDraining() ? 0 : Math.max(0, concurrency - inFlight.size());
    }

    /** The worker asked for work for the first time: its cold start is over. */
    public synchronized void markReady(Instant now) {
        if (phase == WorkerPhase.STARTING) {
            phase = WorkerPhase.READY;
            readyAt = now;
            idleSince = now;
            phases = ColdStartPhases.of(launchedAt, bootMarks, wasPreinitialized() ? startedAt : null, now)
                    .orElse(null);
        }
        usageChanged();
    }

    /** Cold start duration in ms, once the worker is ready. */
    public long initTimeMs() {
        Instant r = readyAt;
        return r == null ? 0 : Duration.between(startedAt, r).toMillis();
    }

    public synchronized void jobTaken(String jobId) {
        inFlight.add(jobId);
        jobsTaken++;
        idleSince = null;
        usageChanged();
    }

    /** The job left this worker (finished, timed out, cancelled or lost). */
    public synchronized void jobReleased(String jobId, Instant now, boolean finished) {
        if (inFlight.remove(jobId)) {
            if (finished) {
                jobsDone++;
            }
            if (inFlight.isEmpty()) {
                idleSince = now;
            }
            notifyAll(); // a take waiting for a free slot
        }
        usageChanged();
    }

    /**
     * Starts handing jobs to this worker; false if it is draining. Until {@link #endTake}, it is not idle for
     * {@link #idleForStop}, so a scale-down cannot stop it while it receives jobs.
     */
    public synchronized boolean beginTake() {
        if (isDraining()) {
            return false;
        }
        taking++;
        return true;
    }

    public synchronized void endTake() {
        taking--;
    }

    /** No job in flight and none being handed over: stopping it now fails no job. */
    public synchronized boolean idleForStop() {
        return inFlight.isEmpty() && taking == 0;
    }

    synchronized void drain() {
        phase = WorkerPhase.DRAINING;
        notifyAll();
        usageChanged();
    }

    /** The worker could not become ready (it reported unhealthy, or overran its start-up timeout). */
    void markStartFailed(String reason) {
        startFailure = reason;
    }

    String startFailure() {
        return startFailure;
    }

    /** Drained on purpose (scale-down, replacement, shutdown), so its exit is no crash. */
    boolean isStopRequested() {
        return phase == WorkerPhase.DRAINING && !exited;
    }

    synchronized void markExited() {
        exited = true;
        phase = WorkerPhase.DRAINING;
        notifyAll();
        usageChanged();
    }

    /** What the worker is billed as doing now, for metering; null once it has exited. */
    public UsageKind usageKind() {
        if (exited) {
            return null;
        }
        if (pooled) {
            return UsageKind.PREINIT;
        }
        if (!inFlight.isEmpty()) {
            return UsageKind.BUSY;
        }
        return switch (phase) {
            case STARTING -> UsageKind.STARTING;
            case READY -> UsageKind.IDLE;
            case DRAINING -> UsageKind.DRAINING;
        };
    }

    /** Tells {@code listener} after each change that may change {@link #usageKind()}; set by the pool at start. */
    public void onUsageChange(java.util.function.Consumer<Worker> listener) {
        usageListener = listener;
    }

    private void usageChanged() {
        java.util.function.Consumer<Worker> l = usageListener;
        if (l != null) {
            l.accept(this);
        }
    }

    /** Tells the worker, through its stop channel, to abandon a job; listed until its pings stop reporting it. */
    public synchronized void requestStop(String jobId) {
        jobsToStop.add(jobId);
        stopRequested.add(jobId);
        notifyAll();
    }

    /**
     * What its ping reported holding: a job it was told to stop and still holds is listed in the stop channel again
     * (runpod-python ignores a stop that arrives before it has created the job's task, ~0.1 s after the take); one it
     * no longer reports has stopped.
     */
    public synchronized void reported(Set<String> held) {
        boolean again = false;
        for (java.util.Iterator<String> it = stopRequested.iterator(); it.hasNext(); ) {
            String id = it.next();
            if (held.contains(id)) {
                again |= jobsToStop.add(id);
            } else {
                it.remove();
            }
        }
        if (again) {
            notifyAll();
        }
    }

    /** Whether the worker was told to stop the job and its last ping still reported it. */
    public synchronized boolean stillHolds(String jobId) {
        return stopRequested.contains(jobId);
    }

    /**
     * Waits up to {@code wait} for jobs to stop; returns them all (possibly none). A worker being stopped gets its
     * answer at once.
     */
    public synchronized List<String> awaitJobsToStop(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (jobsToStop.isEmpty() && !isStopping()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        List<String> out = List.copyOf(jobsToStop);
        jobsToStop.clear();
        return out;
    }

    public synchronized WorkerSnapshot snapshot() {
        return new WorkerSnapshot(id, phase, inFlight.size(), startedAt, idleSince);
    }
}
