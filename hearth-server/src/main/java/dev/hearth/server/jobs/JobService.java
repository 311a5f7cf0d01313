package dev.hearth.server.jobs;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.BatchConfig;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobPolicy;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobStore;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.retry.Backoff;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.releases.Lane;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The owner of job state. Every change goes through {@link JobTransitions}, is written to the {@link JobStore}
 * (compare-and-set on the revision) and only then becomes visible: acknowledged means durable. The one exception is
 * a lease, which is handed to the worker while it is still being written: losing it in a crash loses nothing.
 *
 * <p>Non-final jobs are also kept in memory ({@code live}), with per-function queues of waiting ids, so that the
 * dispatch path never reads the store. Leases are renewed in memory: after a restart every in-progress job goes back
 * to the queue anyway, since its worker died with the old control plane.
 */
public final class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class.getName());
    private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_TIMEOUT = Duration.ofDays(7);
    private static final Duration UNREAD_STREAM_RETENTION = Duration.ofMinutes(10);

    private final JobStore store;
    private final FunctionRegistry functions;
    private final WorkerRegistry workers;
    private final InstantSource clock;
    private final Duration leaseDuration;
    private final JobEvents events;
    private final JobIds ids = new JobIds();
    private final ConcurrentHashMap<String, Job> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LanedQueue> queues = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> leases = new ConcurrentHashMap<>();
    /** Timed-out jobs whose workers were told to stop them, by job id: see {@link #checkTimedOut}. */
    private final ConcurrentHashMap<String, TimedOut> timedOut = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<JobState, LongAdder>> finishedCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> progress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamBuffer> streams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Job>> finals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> retried = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;
    private volatile SubmitGate gate = SubmitGate.OPEN;
    private Instant nextTtlScan = Instant.MIN;

    public JobService(JobStore store, FunctionRegistry functions, WorkerRegistry workers, InstantSource clock,
                      Duration leaseDuration, JobEvents events) {
        this.store = store;
        this.functions = functions;
        this.workers = workers;
        this.clock = clock;
        this.leaseDuration = leaseDuration;
        this.events = events;
    }

    /**
     * Loads unfinished jobs after a start. Jobs that were in progress go back to the queue: their workers belonged to
     * the previous control plane and are gone.
     */
    public int recover() {
        List<Job> unfinished = store.findByStates(EnumSet.of(JobState.IN_QUEUE, JobState.IN_PROGRESS));
        List<Job> requeued = unfinished.stream().filter(j -> j.state() == JobState.IN_PROGRESS)
                .map(JobTransitions::requeue).toList();
        store.updateAll(requeued);
        Map<String, Job> byId = new java.util.LinkedHashMap<>();
        unfinished.forEach(j -> byId.put(j.id(), j));
        requeued.forEach(j -> byId.put(j.id(), j));
        byId.values().stream().sorted(java.util.Comparator.comparing(Job::queuedAt)).forEach(j -> {
            live.put(j.id(), j);
            enqueue(j);
        });
        store.countFinishedBefore(Instant.ofEpochMilli(Long.MAX_VALUE)).forEach((fn, byState) ->
                byState.forEach((state, n) -> finishedCounter(fn).get(state).add(n)));
        requeued.forEach(j -> events.requeued(j, "the control plane restarted while the job ran"));
        return byId.size();
    }

    /** Wired after construction: what admits new jobs (budgets). */
    public void gate(SubmitGate submitGate) {
        this.gate = submitGate;
    }

    // ---------------------------------------------------------------- client side

    public Job submit(String function, SubmitRequest request) {
        return submit(function, request, null);
    }

    /**
     * Submits a job under a client's idempotency key (null: none). A key already held by a job of this function
     * returns that job, and no new one is made, if the request is the same; a different request is a 409.
     */
    public Job submit(String function, SubmitRequest request, IdempotencyKey key) {
        if (!accepting) {
            throw new HearthException.Unavailable("the control plane is shutting down; submit again shortly");
        }
        String id = ids.next();
        FunctionVersion fn = request.version() == null ? functions.forNewJob(function, id)
                : functions.released(function, request.version());
        Duration timeout = request.executionTimeout() != null ? request.executionTimeout() : fn.manifest().timeout();
        if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new HearthException.BadRequest("policy.executionTimeout must be from 1000 ms to 7 days, got "
                    + timeout.toMillis() + " ms");
        }
        Duration ttl = request.ttl() != null ? request.ttl() : JobPolicy.DEFAULT_TTL;
        Job job = Job.submitted(id, function, fn.version(), request.input(), request.webhook(),
                new JobPolicy(timeout, ttl, request.lowPriority()), fn.manifest().retries(), clock.instant());
        gate.admit(job, fn);
        if (key == null) {
            try {
                store.insert(job);
            } catch (RuntimeException e) {
                gate.release(job);
                throw e;
            }
        } else {
            IdempotencyKey.Claim claim;
            try {
                claim = store.insert(job, key);
            } catch (RuntimeException e) {
                gate.release(job);
                throw e;
            }
            if (!claim.created()) {
                // no new job: the reservation made for it goes back
                gate.release(job);
                if (!claim.requestHash().equals(key.requestHash())) {
                    throw new HearthException.Conflict("Idempotency-Key '" + key.key() + "' was already used for job "
                            + claim.job().id() + " with a different request; send a new key for a new request");
                }
                return find(claim.job().id()).orElse(claim.job());
            }
        }
        live.put(job.id(), job);
        queue(function).add(new FunctionQueue.Entry(job.id(), request.lowPriority()));
        events.submitted(job);
        return job;
    }

    /** The job as a client sees it: the stored job, with the latest progress update as output while it runs. */
    public Job get(String function, String id) {
        Job job = find(id).filter(j -> j.function().equals(function))
                .orElseThrow(() -> new HearthException.NotFound("no job '" + id + "' for function '" + function
                        + "' (unknown, expired or removed after its retention period)"));
        String p = job.state() == JobState.IN_PROGRESS ? progress.get(id) : null;
        if (p != null) {
            return new Job(job.id(), job.function(), job.version(), job.state(), job.input(), p, job.error(),
                    job.webhook(), job.policy(), job.attempts(), job.maxRetries(), job.workerId(),
                    job.leaseExpiresAt(), job.queuedAt(), job.placedAt(), job.finishedAt(), job.coldStart(),
                    job.initTimeMs(), job.revision());
        }
        return job;
    }

    /** {@link #get(String, String)} by the job's id alone: job ids are unique across functions. */
    public Job get(String id) {
        Job job = find(id).orElseThrow(() -> new HearthException.NotFound("no job '" + id
                + "' (unknown, expired or removed after its retention period)"));
        return get(job.function(), id);
    }

    /** A job by id alone, whatever its function: live, or from the store. */
    public Optional<Job> find(String id) {
        Job j = live.get(id);
        return j != null ? Optional.of(j) : store.find(id);
    }

    /** Waits up to {@code wait} for the job to reach a final state, then returns it as it is. */
    public Job awaitFinal(String function, String id, Duration wait) {
        Job now = get(function, id);
        if (now.state().isFinal()) {
            return now;
        }
        CompletableFuture<Job> f = finals.computeIfAbsent(id, k -> new CompletableFuture<>());
        now = get(function, id);
        if (now.state().isFinal()) {
            return now;
        }
        try {
            Job done = f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return done != null && done.state().isFinal() ? done : get(function, id);
        } catch (TimeoutException e) {
            return get(function, id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return get(function, id);
        } catch (ExecutionException e) {
            return get(function, id);
        }
    }

    public Job cancel(String function, String id) {
        Job cur = get(function, id);
        if (cur.state().isFinal()) {
            return cur;
        }
        Optional<Job> cancelled = change(id, j -> j.state().isFinal() ? null : JobTransitions.cancel(j, clock.instant()));
        if (cancelled.isEmpty()) {
            return get(function, id);
        }
        Job job = cancelled.get();
        queue(function).remove(id);
        if (cur.workerId() != null) {
            workers.find(cur.workerId()).ifPresent(w -> {
                w.requestStop(id);
                w.jobReleased(id, clock.instant(), false);
            });
        }
        finished(job);
        return job;
    }

    /** RunPod's {@code /retry}: a FAILED or TIMED_OUT job runs again under the same id. */
    public Job retry(String function, String id) {
        Job cur = get(function, id);
        if (cur.state() != JobState.FAILED && cur.state() != JobState.TIMED_OUT) {
            throw new HearthException.Conflict("only FAILED or TIMED_OUT jobs can be retried; job " + id + " is "
                    + cur.state());
        }
        FunctionVersion fn = functions.require(function);
        Job next = JobTransitions.retry(cur, clock.instant());
        gate.admit(next, fn);
        boolean stored;
        try {
            stored = store.update(next);
        } catch (RuntimeException e) {
            gate.release(next);
            throw e;
        }
        if (!stored) {
            gate.release(next);
            throw new HearthException.Conflict("job " + id + " changed while retrying it; try again");
        }
        live.put(id, next);
        queue(function).add(new FunctionQueue.Entry(id, next.policy().lowPriority()));
        events.submitted(next);
        return next;
    }

    /** Cancels every queued job of the function; running jobs go on. Returns how many were removed. */
    public int purgeQueue(String function) {
        functions.require(function);
        int removed = 0;
        for (FunctionQueue.Entry e : queue(function).removeAll()) {
            Optional<Job> c = change(e.jobId(), j -> j.state() == JobState.IN_QUEUE
                    ? JobTransitions.cancel(j, clock.instant()) : null);
            if (c.isPresent()) {
                finished(c.get());
                removed++;
            }
        }
        return removed;
    }

    /** The chunks a streaming job yielded since the last read, waiting briefly for new ones while it runs. */
    public List<String> readStream(String function, String id, Duration wait) {
        Job job = get(function, id);
        StreamBuffer buf = streams.get(id);
        if (buf == null) {
            if (job.state().isFinal()) {
                return List.of();
            }
            buf = streams.computeIfAbsent(id, k -> new StreamBuffer());
            if (find(id).map(j -> j.state().isFinal()).orElse(true)) {
                // it ended between the two looks: finished() had no buffer to close, so this read would wait in
                // vain, and a buffer never closed is never reaped
                buf.close();
            }
        }
        try {
            List<String> chunks = buf.readNew(wait);
            if (buf.drained()) {
                streams.remove(id, buf);
            }
            return chunks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The chunks a running generator has yielded so far, without taking them from any reader; empty when none. */
    public List<String> streamed(String id) {
        StreamBuffer buf = streams.get(id);
        return buf == null ? List.of() : buf.all();
    }

    /**
     * The chunks a streaming job yielded from index {@code from} on, waiting up to {@code wait} for one while it
     * runs, for a reader that keeps its own place (Replicate's stream): the {@code /v2} stream's reader still gets
     * every chunk. Empty when the job has ended and its chunks are no longer kept (its output holds them).
     */
    public Optional<List<String>> readStreamFrom(String id, int from, Duration wait) {
        Job job = get(id);
        StreamBuffer buf = streams.get(id);
        if (buf == null) {
            if (job.state().isFinal()) {
                return Optional.empty();
            }
            buf = streams.computeIfAbsent(id, k -> new StreamBuffer());
            if (find(id).map(j -> j.state().isFinal()).orElse(true)) {
                buf.close(); // as in readStream: it ended between the two looks
            }
        }
        try {
            return Optional.of(buf.readFrom(from, wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(List.of());
        }
    }

    // ---------------------------------------------------------------- worker side

    /**
     * A worker's long-poll for work: up to {@code max} jobs, waiting up to {@code wait} for the first. The leases are
     * written behind: see {@link #lease}.
     */
    public List<Job> take(Worker worker, int max, Duration wait) throws InterruptedException {
        worker.markReady(clock.instant());
        long deadline = System.nanoTime() + wait.toNanos();
        if (worker.freeSlots() <= 0 && !worker.awaitFreeSlot(wait)) {
            // a full worker long-polls too: runpod-python with a concurrency_modifier above the function's
            // scaling.concurrency asks again at once after each empty answer (~1,400 takes a second)
            return List.of();
        }
        wait = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        int n = Math.min(max, worker.freeSlots());
        if (n <= 0) {
            return List.of();
        }
        Optional<Lane> lane = functions.laneOfWorker(worker.function(), worker.version());
        if (lane.isEmpty()) {
            if (!worker.isDraining()) {
                // Drained, not retired: a worker asking for more while it runs jobs (concurrency > 1) before the
                // rolling release drained it must finish them, not be killed after a short grace and vanish.
                events.drainWorker(worker, "its version " + worker.version() + " is no longer released");
            }
            return List.of();
        }
        LanedQueue q = queue(worker.function());
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
                && !worker.isStopping() && accepting
                && lane.equals(functions.laneOfWorker(worker.function(), worker.version())));
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
        Instant now = clock.instant();
        List<Job> next = new ArrayList<>(entries.size());
        for (FunctionQueue.Entry e : entries) {
            Job cur = live.get(e.jobId());
            if (cur == null || cur.state() != JobState.IN_QUEUE) {
                continue;
            }
            if (cur.isBackingOff(now)) {
                q.addDelayed(e, cur.runAfter());
                continue;
            }
            boolean cold = JobTransitions.isColdStart(cur.queuedAt(), worker.readyAt(),
                    worker.jobsTaken() + next.size(), worker.concurrency());
            next.add(JobTransitions.lease(cur, worker.id(), worker.version(), now, now.plus(leaseDuration), cold,
                    cold ? worker.initTimeMs() : 0));
        }
        // Handed out before the lease is durable: a lease lost in a crash loses nothing, since a restart sends every
        // in-progress job back to the queue. The worker's result is written after the lease (the store keeps order).
        store.updateAllLater(next).whenComplete((applied, error) -> {
            if (error != null || applied.contains(false)) {
                Thread.ofVirtual().name("hearth-lease-refused").start(() -> leasesRefused(worker, next, applied, error));
            }
        });
        for (Job job : next) {
            live.put(job.id(), job);
            leases.put(job.id(), job.leaseExpiresAt());
            worker.jobTaken(job.id());
            events.started(job, worker);
        }
        return next;
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
        Instant now = clock.instant();
        for (int i = 0; i < next.size(); i++) {
            Job job = next.get(i);
            if (error == null && applied.get(i)) {
                continue;
            }
            reload(job.id());
            Job cur = live.get(job.id());
            if (cur == null || cur.state() != JobState.IN_PROGRESS || !worker.id().equals(cur.workerId())) {
                leases.remove(job.id());
                worker.requestStop(job.id());
                worker.jobReleased(job.id(), now, false);
                if (cur != null && cur.state() == JobState.IN_QUEUE) {
                    enqueue(cur);
                }
            }
        }
    }

    /** A worker's job-done post: a progress update or the final result. */
    public void result(Worker worker, String jobId, WorkerResult r) {
        Job cur = requireLease(worker, jobId);
        Instant now = clock.instant();
        leases.put(jobId, now.plus(leaseDuration));
        if (r.progress()) {
            if (r.output() != null) {
                progress.put(jobId, r.output());
            }
            events.progressed(cur, worker, r.output());
            return;
        }
        String out = finalOutput(jobId, r);
        Optional<Job> next = change(jobId, j -> resultState(worker, j, out, r, now));
        if (next.isEmpty()) {
            throw leaseLost(worker, jobId, find(jobId).orElse(cur));
        }
        resultApplied(worker, next.get(), r, now);
    }

    /** One result of a batch post. */
    public record ResultItem(String jobId, WorkerResult result) {
    }

    /**
     * A worker's batch of results, written to the store in one go: a worker running many short jobs at once posts
     * one request per batch rather than one per job.
     *
     * <p>The results are checked and their writes queued; the worker's slots are free at once, so that it can be
     * answered (and given its next jobs) while the store commits. The results become visible to clients only in
     * {@link AcceptedResults#publish()}, once durable: a crash in between loses nothing but the worker's effort, since
     * the jobs are still in progress in the store and go back to the queue.
     */
    public AcceptedResults acceptResults(Worker worker, List<ResultItem> items) {
        List<HearthException> refused = new ArrayList<>(java.util.Collections.nCopies(items.size(), null));
        List<ResultItem> accepted = new ArrayList<>(items.size());
        List<Job> next = new ArrayList<>(items.size());
        Instant now = clock.instant();
        for (int i = 0; i < items.size(); i++) {
            ResultItem item = items.get(i);
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
            leases.put(cur.id(), now.plus(leaseDuration));
            Job n = resultState(worker, cur, finalOutput(cur.id(), r), r, now);
            if (n == null) {
                refused.set(i, leaseLost(worker, cur.id(), cur));
                continue;
            }
            accepted.add(item);
            next.add(n);
        }
        CompletableFuture<List<Boolean>> written = next.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : store.updateAllLater(next);
        for (Job job : next) {
            worker.jobReleased(job.id(), now, job.state() != JobState.IN_QUEUE);
        }
        return new AcceptedResults(worker, refused, accepted, next, written);
    }

    /** Results taken by {@link #acceptResults}: why some were refused, and the step that makes the rest visible. */
    public final class AcceptedResults {

        private final Worker worker;
        private final List<HearthException> refused;
        private final List<ResultItem> accepted;
        private final List<Job> next;
        private final CompletableFuture<List<Boolean>> written;

        /** {@code next.get(k)} is the job after {@code accepted.get(k)}; {@code written} says, per job, if it applied. */
        private AcceptedResults(Worker worker, List<HearthException> refused, List<ResultItem> accepted,
                                List<Job> next, CompletableFuture<List<Boolean>> written) {
            this.worker = worker;
            this.refused = refused;
            this.accepted = accepted;
            this.next = next;
            this.written = written;
        }

        /** For each item, null if it was accepted, else why it was refused (as {@link #result} would throw). */
        public List<HearthException> refused() {
            return refused;
        }

        /**
         * Waits until the results are durable, then makes them visible (status, runsync waiters, events). A result
         * the store did not take, because the job changed meanwhile (a cancel or a timeout came first), is decided
         * again one by one; if the worker's write failed, its jobs stay in progress until their lease runs out.
         */
        public void publish() {
            List<Boolean> applied;
            try {
                applied = written.join();
            } catch (java.util.concurrent.CompletionException e) {
                LOG.log(Level.WARNING, "could not write " + next.size() + " results of worker " + worker.id()
                        + "; their jobs go back to the queue when their leases run out", e.getCause());
                return;
            }
            for (int k = 0; k < next.size(); k++) {
                Job job = next.get(k);
                ResultItem item = accepted.get(k);
                if (!applied.get(k)) {
                    // decided again one by one; the worker has had its answer, so a refusal now only drops it
                    reload(job.id());
                    refusal(() -> result(worker, item.jobId(), item.result()));
                    continue;
                }
                if (job.state().isFinal()) {
                    live.remove(job.id());
                } else {
                    live.put(job.id(), job);
                }
                published(worker, job, item.result());
            }
        }
    }
    private static HearthException refusal(Runnable r) {
        try {
            r.run();
            return null;
        } catch (HearthException e) {
            return e;
        }
    }

    /** A generator's chunks become its output when the final post carries none. */
    private String finalOutput(String jobId, WorkerResult r) {
        String output = r.output();
        StreamBuffer buf = streams.get(jobId);
        if (r.isStream() && buf != null && (output == null || output.equals("[]"))) {
            output = "[" + String.join(",", buf.all()) + "]";
        }
        return output;
    }

    /** The job after a final result from the worker, or null if the worker no longer holds it. */
    private Job resultState(Worker worker, Job j, String out, WorkerResult r, Instant now) {
        if (j.state() != JobState.IN_PROGRESS || !worker.id().equals(j.workerId())) {
            return null;
        }
        if (r.error() == null) {
            return JobTransitions.complete(j, out, now);
        }
        return j.hasRetriesLeft() ? JobTransitions.requeue(withError(j, r.error()), retryAt(j))
                : JobTransitions.fail(j, out, r.error(), now);
    }

    private void resultApplied(Worker worker, Job job, WorkerResult r, Instant now) {
        worker.jobReleased(job.id(), now, job.state() != JobState.IN_QUEUE);
        published(worker, job, r);
    }

    private void published(Worker worker, Job job, WorkerResult r) {
        if (job.state() == JobState.IN_QUEUE) {
            requeued(job, "handler error: " + r.error());
        } else {
            finished(job);
        }
        if (r.stopPod()) {
            events.retireWorker(worker, "the worker asked to be replaced (stopPod)");
        }
    }

    public void streamChunk(Worker worker, String jobId, String chunkJson) {
        requireLease(worker, jobId);
        streams.computeIfAbsent(jobId, k -> new StreamBuffer()).add(chunkJson);
    }

    /**
     * A heartbeat renews the leases of the jobs the worker says it holds (RunPod's {@code job_id} list). A job the
     * worker holds on the server's books but does not report, say one whose take answer never reached it, is not
     * renewed: its lease runs out and it goes back to the queue, instead of staying leased to a worker that never
     * heard of it. (A job just handed out has a whole lease, three heartbeats, to show up in the list.)
     */
    public void heartbeat(Worker worker, Set<String> held) {
        worker.reported(held);
        Instant until = clock.instant().plus(leaseDuration);
        for (String id : worker.inFlight()) {
            if (held.contains(id)) {
                leases.computeIfPresent(id, (k, v) -> until);
            }
        }
    }

    /** The worker is gone (process exited, or replaced): its jobs go back to the queue or fail. */
    public void workerLost(Worker worker, String reason) {
        for (String id : worker.inFlight()) {
            leaseLost(id, worker.id(), reason);
        }
    }

    /**
     * Periodic housekeeping: expired leases, execution timeouts, TTLs. Called by the control plane's reaper task.
     */
    public void reap() {
        Instant now = clock.instant();
        for (Map.Entry<String, Instant> lease : leases.entrySet()) {
            if (lease.getValue().isBefore(now)) {
                Job j = live.get(lease.getKey());
                if (j != null && j.state() == JobState.IN_PROGRESS) {
                    leaseLost(j.id(), j.workerId(), "worker " + j.workerId() + " stopped sending heartbeats");
                }
            }
        }
        for (String id : leases.keySet()) {
            Job j = live.get(id);
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
            streams.entrySet().removeIf(e -> e.getValue().closedLongerThan(UNREAD_STREAM_RETENTION));
            for (Job j : live.values()) {
                if (j.expiresAt().isBefore(now)) {
                    expire(j);
                }
            }
        }
    }

    private void timeOut(Job j) {
        Optional<Job> next = change(j.id(), cur -> cur.state() == JobState.IN_PROGRESS
                ? JobTransitions.timeOut(cur, clock.instant()) : null);
        next.ifPresent(job -> {
            workers.find(j.workerId()).ifPresent(w -> {
                w.requestStop(j.id());
                w.jobReleased(j.id(), clock.instant(), false);
                // replaced only if it does not stop the job: its pings must stop reporting it within a lease
                timedOut.put(j.id(), new TimedOut(w, j.policy().executionTimeout(),
                        clock.instant().plus(leaseDuration)));
            });
            finished(job);
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
                        + leaseDuration.toMillis() + " ms");
            }
        }
    }

    private void expire(Job j) {
        if (!store.delete(j.id())) {
            return;
        }
        live.remove(j.id());
        leases.remove(j.id());
        progress.remove(j.id());
        queue(j.function()).remove(j.id());
        if (j.state() == JobState.IN_PROGRESS && j.workerId() != null) {
            workers.find(j.workerId()).ifPresent(w -> {
                w.requestStop(j.id());
                w.jobReleased(j.id(), clock.instant(), false);
            });
        }
        StreamBuffer buf = streams.remove(j.id());
        if (buf != null) {
            buf.close();
        }
        CompletableFuture<Job> f = finals.remove(j.id());
        if (f != null) {
            f.complete(null);
        }
        events.removed(j);
    }

    private void leaseLost(String jobId, String workerId, String reason) {
        Instant now = clock.instant();
        Optional<Job> next = change(jobId, j -> {
            if (j.state() != JobState.IN_PROGRESS || !workerId.equals(j.workerId())) {
                return null;
            }
            // A graceful shutdown is not the job's fault: its attempt does not count against its retries.
            if (!accepting) {
                return JobTransitions.handBack(j);
            }
            return j.hasRetriesLeft() ? JobTransitions.requeue(j, retryAt(j))
                    : JobTransitions.fail(j, null, reason, now);
        });
        workers.find(workerId).ifPresent(w -> w.jobReleased(jobId, now, false));
        next.ifPresent(job -> {
            if (job.state() == JobState.IN_QUEUE) {
                requeued(job, reason);
            } else {
                finished(job);
            }
        });
    }

    /**
     * The worker's node was drained and the grace period is over: its jobs go back to the queue (at the front)
     * without using a retry, and the worker is told to abandon them; a result it still posts is refused.
     *
     * @return how many jobs went back
     */
    public int handBack(Worker worker, String reason) {
        int n = 0;
        Instant now = clock.instant();
        for (String id : worker.inFlight()) {
            Optional<Job> back = change(id, j -> j.state() == JobState.IN_PROGRESS && worker.id().equals(j.workerId())
                    ? JobTransitions.handBack(j) : null);
            worker.requestStop(id);
            worker.jobReleased(id, now, false);
            if (back.isPresent()) {
                requeued(back.get(), reason);
                n++;
            }
        }
        return n;
    }

    /** Stops handing out jobs; waiting long-polls return at once. */
    public void stopDispatch() {
        accepting = false;
        queues.values().forEach(LanedQueue::wakeAll);
    }

    /**
     * After the function's release changed: queued jobs move to the lane of the version they now run on, and waiting
     * long-polls return so that workers re-check which lane they serve.
     */
    public void releaseChanged(String function) {
        queue(function).relane();
    }

    /** Wakes the long-polls of one function so draining workers return at once. */
    public void wake(String function) {
        queue(function).wakeAll();
    }

    /**
     * Fails every queued job of the version with the error, retries or not: its workers die before they can take
     * one (a crash loop), so the jobs would wait for ever. Returns how many failed.
     */
    public int failQueued(String function, int version, String error) {
        int failed = 0;
        for (Job j : live.values()) {
            if (!j.function().equals(function) || j.version() != version || j.state() != JobState.IN_QUEUE) {
                continue;
            }
            queue(function).remove(j.id());
            Optional<Job> f = change(j.id(), c -> c.state() == JobState.IN_QUEUE && c.version() == version
                    ? JobTransitions.fail(c, null, error, clock.instant()) : null);
            if (f.isPresent()) {
                finished(f.get());
                failed++;
            }
        }
        return failed;
    }

    /** Cancels everything queued for a function that is being deleted. */
    public void cancelAll(String function) {
        queue(function).removeAll().forEach(e -> change(e.jobId(), j -> j.state() == JobState.IN_QUEUE
                ? JobTransitions.cancel(j, clock.instant()) : null).ifPresent(this::finished));
    }

    // ---------------------------------------------------------------- views for scaling, health and metrics

    /** The demand on one version of a function: its lane's queue and the jobs its workers run. */
    public QueueStats stats(String function, int version) {
        LanedQueue q = queue(function);
        Lane lane = functions.laneOfJob(function, version);
        int low = q.lowPrioritySize(lane);
        int inFlight = 0;
        for (Worker w : workers.ofFunction(function)) {
            if (functions.laneOfJob(function, w.version()) == lane) {
                inFlight += w.inFlightCount();
            }
        }
        return new QueueStats(q.size(lane) - low, low, inFlight);
    }

    public QueueStats stats(String function) {
        LanedQueue q = queue(function);
        int low = q.lowPrioritySize();
        int inFlight = 0;
        for (Worker w : workers.ofFunction(function)) {
            inFlight += w.inFlightCount();
        }
        return new QueueStats(q.size() - low, low, inFlight);
    }

    /** Queued jobs' waiting time, oldest first; the oldest queued job's age for a function, or zero. */
    public Duration oldestQueuedAge(String function) {
        Instant now = clock.instant();
        return live.values().stream().filter(j -> j.function().equals(function) && j.state() == JobState.IN_QUEUE)
                .map(j -> Duration.between(j.queuedAt(), now)).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** How long the jobs at the heads of the function's queue have waited, the longest (zero when none waits). */
    public Duration headOfQueueWait(String function) {
        Duration longest = Duration.ZERO;
        for (String id : queue(function).heads()) {
            Job j = live.get(id);
            if (j != null && j.state() == JobState.IN_QUEUE) {
                Duration d = Duration.between(j.queuedAt(), clock.instant());
                longest = d.compareTo(longest) > 0 ? d : longest;
            }
        }
        return longest;
    }

    /** The jobs a listing asks for, newest first (see {@link dev.hearth.jobs.JobSearch}). */
    public List<Job> search(dev.hearth.jobs.JobSearch search) {
        return store.search(search);
    }

    /** Timings of the function's jobs that finished since {@code since}, newest first (for latency statistics). */
    public List<dev.hearth.jobs.JobTiming> finishedSince(String function, Instant since, int limit) {
        return store.finishedSince(function, since, limit);
    }

    /** How many times jobs of the function went back to the queue since this control plane started. */
    public long retried(String function) {
        var n = retried.get(function);
        return n == null ? 0 : n.sum();
    }

    /**
     * Finished jobs of the function by final state, for health. Counted in the store once at start (see
     * {@link #recover}) and in memory from then on: a count over the jobs table on every health call grew with it.
     */
    public Map<JobState, Long> counts(String function) {
        Map<JobState, Long> out = new EnumMap<>(JobState.class);
        finishedCounter(function).forEach((state, n) -> out.put(state, n.sum()));
        return out;
    }

    private Map<JobState, LongAdder> finishedCounter(String function) {
        return finishedCounts.computeIfAbsent(function, f -> {
            Map<JobState, LongAdder> m = new EnumMap<>(JobState.class);
            for (JobState state : JobState.values()) {
                if (state.isFinal()) {
                    m.put(state, new LongAdder());
                }
            }
            return m;
        });
    }

    /** Deletes finished jobs older than {@code before} (result retention), and takes them off the health counts. */
    public int deleteFinishedBefore(Instant before) {
        // Final jobs that old no longer change, so counting them first and deleting them next agree.
        Map<String, Map<JobState, Long>> gone = store.countFinishedBefore(before);
        int deleted = store.deleteFinishedBefore(before);
        gone.forEach((fn, byState) -> byState.forEach((state, n) -> finishedCounter(fn).get(state).add(-n)));
        return deleted;
    }

    public record QueueStats(int queued, int queuedLowPriority, int inFlight) {
    }

    // ---------------------------------------------------------------- mechanics

    private Job requireLease(Worker worker, String jobId) {
        Job cur = live.get(jobId);
        if (cur == null || cur.state() != JobState.IN_PROGRESS || !worker.id().equals(cur.workerId())) {
            throw leaseLost(worker, jobId, cur != null ? cur : find(jobId).orElse(null));
        }
        return cur;
    }

    private static HearthException leaseLost(Worker worker, String jobId, Job job) {
        String state = job == null ? "unknown" : job.state() + (job.workerId() != null
                && !job.workerId().equals(worker.id()) ? " on worker " + job.workerId() : "");
        return new HearthException.Conflict("worker " + worker.id() + " does not hold the lease of job " + jobId
                + " (job is " + state + "); the result is refused");
    }

    /**
     * Applies a change with compare-and-set against the store; {@code f} returns null to make no change. Retries when
     * another thread changed the job first.
     */
    private Optional<Job> change(String id, UnaryOperator<Job> f) {
        for (int attempt = 0; attempt < 16; attempt++) {
            Job cur = live.get(id);
            if (cur == null) {
                return Optional.empty();
            }
            Job next = f.apply(cur);
            if (next == null) {
                return Optional.empty();
            }
            if (store.update(next)) {
                if (next.state().isFinal()) {
                    live.remove(id);
                } else {
                    live.put(id, next);
                }
                return Optional.of(next);
            }
            reload(id);
        }
        throw new IllegalStateException("job " + id + " kept changing; gave up after 16 attempts");
    }

    private void reload(String id) {
        Optional<Job> stored = store.find(id);
        if (stored.isPresent() && !stored.get().state().isFinal()) {
            live.put(id, stored.get());
        } else {
            live.remove(id);
        }
    }

    private void requeued(Job job, String reason) {
        retried.computeIfAbsent(job.function(), f -> new LongAdder()).increment();
        leases.remove(job.id());
        progress.remove(job.id());
        // told before the job is back in the queue: a waiting worker may lease it at once, and the timeline must see
        // the requeue before that lease (and not take the new lease for the one that ended)
        events.requeued(job, reason);
        FunctionQueue.Entry entry = new FunctionQueue.Entry(job.id(), job.policy().lowPriority());
        if (job.runAfter() != null) {
            queue(job.function()).addDelayed(entry, job.runAfter());
        } else {
            queue(job.function()).addFirst(entry);
        }
    }

    private void finished(Job job) {
        finishedCounter(job.function()).get(job.state()).increment();
        leases.remove(job.id());
        progress.remove(job.id());
        StreamBuffer buf = streams.get(job.id());
        if (buf != null) {
            // kept until the client has read the last chunks (or gives up on them), see readStream and reap
            buf.close();
        }
        CompletableFuture<Job> f = finals.remove(job.id());
        if (f != null) {
            f.complete(job);
        }
        events.finished(job);
    }

    /** When a failed attempt's retry may start: the function's retry backoff (null: at once). */
    private Instant retryAt(Job failed) {
        Backoff backoff = functions.latest(failed.function()).map(v -> v.manifest().retryBackoff())
                .orElse(Backoff.NONE);
        return backoff.isNone() ? null : backoff.notBefore(Math.max(1, failed.attempts()), clock);
    }

    private void enqueue(Job j) {
        FunctionQueue.Entry entry = new FunctionQueue.Entry(j.id(), j.policy().lowPriority());
        if (j.isBackingOff(clock.instant())) {
            queue(j.function()).addDelayed(entry, j.runAfter());
        } else {
            queue(j.function()).add(entry);
        }
    }

    private static Job withError(Job j, String error) {
        return new Job(j.id(), j.function(), j.version(), j.state(), j.input(), j.output(), error, j.webhook(),
                j.policy(), j.attempts(), j.maxRetries(), j.workerId(), j.leaseExpiresAt(), j.queuedAt(),
                j.placedAt(), j.finishedAt(), j.coldStart(), j.initTimeMs(), j.revision());
    }

    private LanedQueue queue(String function) {
        return queues.computeIfAbsent(function, f -> new LanedQueue(clock, this::laneOf));
    }

    /** A queued job's lane: that of the version it was assigned at submit (or ran on last, after a lost lease). */
    private Lane laneOf(String jobId) {
        Job j = live.get(jobId);
        return j == null ? Lane.STABLE : functions.laneOfJob(j.function(), j.version());
    }
}
