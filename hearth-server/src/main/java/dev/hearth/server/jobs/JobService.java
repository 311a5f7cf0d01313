package dev.hearth.server.jobs;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobPolicy;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobStore;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.releases.Lane;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerEvents;
import dev.hearth.server.workers.WorkerRegistry;
import dev.hearth.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The owner of job state, and the one door the routes, the scaling loop and the worker pool use. Every change goes
 * through {@link JobTransitions}, is written to the {@link JobStore} (compare-and-set on the revision) and only then
 * becomes visible: acknowledged means durable. The one exception is a lease, which is handed to the worker while it
 * is still being written: losing it in a crash loses nothing.
 *
 * <p>The client side (submit, cancel, retry, views) is here; the rest is split by responsibility behind it, over one
 * {@link JobTable} of live jobs and queues: {@link Dispatch} hands jobs to workers, {@link ResultIntake} takes their
 * results, {@link Reaper} keeps and ends leases (heartbeats, lost workers, timeouts, TTLs), {@link Waiters} holds what
 * clients wait on (runsync, status-sync, streams), and {@link Outcomes} is where every attempt ends.
 */
public final class JobService implements WorkerEvents {

    private static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_TIMEOUT = Duration.ofDays(7);

    private final JobTable table;
    private final WorkerRegistry workers;
    private final Ticker clock;
    private final JobEvents events;
    private final JobIds ids = new JobIds();
    private final Waiters waiters;
    private final Outcomes outcomes;
    private final Dispatch dispatch;
    private final ResultIntake intake;
    private final Reaper reaper;
    private volatile SubmitGate gate = SubmitGate.OPEN;

    private static final int PURGE_BATCH = 1_000;

    public JobService(JobStore store, FunctionRegistry functions, WorkerRegistry workers, Ticker clock,
                      Duration leaseDuration, JobEvents events) {
        this.table = new JobTable(store, functions, clock);
        this.workers = workers;
        this.clock = clock;
        this.events = events;
        Leases leases = new Leases(leaseDuration);
        this.waiters = new Waiters(table);
        this.outcomes = new Outcomes(table, leases, waiters, events);
        this.dispatch = new Dispatch(table, leases, events);
        this.intake = new ResultIntake(table, leases, waiters, outcomes, events);
        this.reaper = new Reaper(table, leases, waiters, outcomes, workers, events);
    }

    /**
     * Loads unfinished jobs after a start. Jobs that were in progress go back to the queue: their workers belonged to
     * the previous control plane and are gone.
     *
     * @return the unfinished jobs as they are now, for the other services that rebuild their state from them (read
     *         once: with 100,000 queued jobs a second read took as long as the first)
     */
    public List<Job> recover() {
        List<Job> unfinished = table.store.findByStates(EnumSet.of(JobState.IN_QUEUE, JobState.IN_PROGRESS));
        List<Job> requeued = unfinished.stream().filter(j -> j.state() == JobState.IN_PROGRESS)
                .map(JobTransitions::requeue).toList();
        table.store.updateAll(requeued);
        Map<String, Job> byId = new LinkedHashMap<>();
        unfinished.forEach(j -> byId.put(j.id(), j));
        requeued.forEach(j -> byId.put(j.id(), j));
        byId.values().stream().sorted(Comparator.comparing(Job::queuedAt)).forEach(j -> {
            table.put(j);
            table.enqueue(j);
        });
        outcomes.countStored();
        requeued.forEach(j -> events.requeued(j, "the control plane restarted while the job ran"));
        return List.copyOf(byId.values());
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
        if (!table.accepting()) {
            throw new HearthException.Unavailable("the control plane is shutting down; submit again shortly");
        }
        String id = ids.next();
        FunctionRegistry functions = table.functions;
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
                table.store.insert(job);
            } catch (RuntimeException e) {
                gate.release(job);
                throw e;
            }
        } else {
            IdempotencyKey.Claim claim;
            try {
                claim = table.store.insert(job, key);
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
        table.put(job);
        table.queue(function).add(new FunctionQueue.Entry(job.id(), request.lowPriority()));
        events.submitted(job);
        return job;
    }

    /** The job as a client sees it: the stored job, with the latest progress update as output while it runs. */
    public Job get(String function, String id) {
        Job job = find(id).filter(j -> j.function().equals(function))
                .orElseThrow(() -> new HearthException.NotFound("no job '" + id + "' for function '" + function
                        + "' (unknown, expired or removed after its retention period)"));
        String p = job.state() == JobState.IN_PROGRESS ? waiters.progress(id) : null;
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
        return table.find(id);
    }

    /** Waits up to {@code wait} for the job to reach a final state, then returns it as it is. */
    public Job awaitFinal(String function, String id, Duration wait) {
        return waiters.awaitFinal(id, () -> get(function, id), wait);
    }

    public Job cancel(String function, String id) {
        Job cur = get(function, id);
        if (cur.state().isFinal()) {
            return cur;
        }
        Optional<Job> cancelled = table.change(id, j -> j.state().isFinal() ? null
                : JobTransitions.cancel(j, clock.instant()));
        if (cancelled.isEmpty()) {
            return get(function, id);
        }
        Job job = cancelled.get();
        table.queue(function).remove(id);
        if (cur.workerId() != null) {
            workers.find(cur.workerId()).ifPresent(w -> {
                w.requestStop(id);
                w.jobReleased(id, clock.instant(), false);
            });
        }
        outcomes.finished(job);
        return job;
    }

    /** RunPod's {@code /retry}: a FAILED or TIMED_OUT job runs again under the same id. */
    public Job retry(String function, String id) {
        Job cur = get(function, id);
        if (cur.state() != JobState.FAILED && cur.state() != JobState.TIMED_OUT) {
            throw new HearthException.Conflict("only FAILED or TIMED_OUT jobs can be retried; job " + id + " is "
                    + cur.state());
        }
        FunctionVersion fn = table.functions.require(function);
        Job next = JobTransitions.retry(cur, clock.instant());
        gate.admit(next, fn);
        boolean stored;
        try {
            stored = table.store.update(next);
        } catch (RuntimeException e) {
            gate.release(next);
            throw e;
        }
        if (!stored) {
            gate.release(next);
            throw new HearthException.Conflict("job " + id + " changed while retrying it; try again");
        }
        table.put(next);
        table.queue(function).add(new FunctionQueue.Entry(id, next.policy().lowPriority()));
        events.submitted(next);
        return next;
    }

    private Job finishedNow(Job job) {
        outcomes.finished(job);
        return job;
    }

    /** Cancels every queued job of the function; running jobs go on. Returns how many were removed. */
    public int purgeQueue(String function) {
        table.functions.require(function);
        int removed = 0;
        List<FunctionQueue.Entry> entries = table.queue(function).removeAll();
        // Written PURGE_BATCH at a time: one write (and commit) per job took 31 s for 100,000 jobs
        for (int from = 0; from < entries.size(); from += PURGE_BATCH) {
            List<Job> next = new ArrayList<>();
            for (FunctionQueue.Entry e : entries.subList(from, Math.min(entries.size(), from + PURGE_BATCH))) {
                Job j = table.live(e.jobId());
                if (j != null && j.state() == JobState.IN_QUEUE) {
                    next.add(JobTransitions.cancel(j, clock.instant()));
                }
            }
            List<Boolean> applied = table.store.updateAll(next);
            for (int i = 0; i < next.size(); i++) {
                Job c = next.get(i);
                if (applied.get(i)) {
                    table.keep(c);
                    outcomes.finished(c);
                    removed++;
                } else if (table.change(c.id(), j -> j.state() == JobState.IN_QUEUE // changed meanwhile: decided again
                        ? JobTransitions.cancel(j, clock.instant()) : null).map(this::finishedNow).isPresent()) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /** The chunks a streaming job yielded since the last read, waiting briefly for new ones while it runs. */
    public List<String> readStream(String function, String id, Duration wait) {
        return waiters.readStream(get(function, id), wait);
    }

    /** The chunks a running generator has yielded so far, without taking them from any reader; empty when none. */
    public List<String> streamed(String id) {
        return waiters.streamed(id);
    }

    /**
     * The chunks a streaming job yielded from index {@code from} on, waiting up to {@code wait} for one while it
     * runs, for a reader that keeps its own place (Replicate's stream): the {@code /v2} stream's reader still gets
     * every chunk. Empty when the job has ended and its chunks are no longer kept (its output holds them).
     */
    public Optional<List<String>> readStreamFrom(String id, int from, Duration wait) {
        return waiters.readStreamFrom(get(id), from, wait);
    }

    // ---------------------------------------------------------------- worker side

    /**
     * A worker's long-poll for work: up to {@code max} jobs, waiting up to {@code wait} for the first. The leases are
     * written behind: a lease lost in a crash loses nothing, since a restart sends every in-progress job back.
     */
    public List<Job> take(Worker worker, int max, Duration wait) throws InterruptedException {
        return dispatch.take(worker, max, wait);
    }

    /** A worker's job-done post: a progress update or the final result. */
    public void result(Worker worker, String jobId, WorkerResult r) {
        intake.result(worker, jobId, r);
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
        return intake.accept(worker, items);
    }

    public void streamChunk(Worker worker, String jobId, String chunkJson) {
        intake.streamChunk(worker, jobId, chunkJson);
    }

    /**
     * A heartbeat renews the leases of the jobs the worker says it holds (RunPod's {@code job_id} list). A job the
     * worker holds on the server's books but does not report, say one whose take answer never reached it, is not
     * renewed: its lease runs out and it goes back to the queue, instead of staying leased to a worker that never
     * heard of it. (A job just handed out has a whole lease, three heartbeats, to show up in the list.)
     */
    public void heartbeat(Worker worker, Set<String> held) {
        reaper.heartbeat(worker, held);
    }

    /** The worker is gone (process exited, or replaced): its jobs go back to the queue or fail. */
    @Override
    public void workerLost(Worker worker, String reason) {
        reaper.workerLost(worker, reason);
    }

    /**
     * Periodic housekeeping: expired leases, execution timeouts, TTLs. Called by the control plane's reaper task.
     */
    public void reap() {
        reaper.reap();
    }

    /**
     * The worker's node was drained and the grace period is over: its jobs go back to the queue (at the front)
     * without using a retry, and the worker is told to abandon them; a result it still posts is refused.
     *
     * @return how many jobs went back
     */
    @Override
    public int handBack(Worker worker, String reason) {
        return reaper.handBack(worker, reason);
    }

    /**
     * From now on a job is handed to a worker only once its lease is durable: for the leader of several
     * control-plane nodes, whose store refuses a deposed leader's writes, so that it never hands out a job once
     * another node leads.
     */
    public void durableLeases() {
        dispatch.durableLeases();
    }

    /** Stops handing out jobs; waiting long-polls return at once. */
    public void stopDispatch() {
        table.stopAccepting();
    }

    /**
     * After the function's release changed: queued jobs move to the lane of the version they now run on, and waiting
     * long-polls return so that workers re-check which lane they serve.
     */
    public void releaseChanged(String function) {
        table.queue(function).relane();
    }

    /** Wakes the long-polls of one function so draining workers return at once. */
    @Override
    public void wake(String function) {
        table.queue(function).wakeAll();
    }

    /**
     * Fails every queued job of the version with the error, retries or not: its workers die before they can take
     * one (a crash loop), so the jobs would wait for ever. Returns how many failed.
     */
    @Override
    public int failQueued(String function, int version, String error) {
        int failed = 0;
        for (Job j : table.all()) {
            if (!j.function().equals(function) || j.version() != version || j.state() != JobState.IN_QUEUE) {
                continue;
            }
            table.queue(function).remove(j.id());
            Optional<Job> f = table.change(j.id(), c -> c.state() == JobState.IN_QUEUE && c.version() == version
                    ? JobTransitions.fail(c, null, error, clock.instant()) : null);
            if (f.isPresent()) {
                outcomes.finished(f.get());
                failed++;
            }
        }
        return failed;
    }

    /** Cancels everything queued for a function that is being deleted. */
    public void cancelAll(String function) {
        table.queue(function).removeAll().forEach(e -> table.change(e.jobId(), j -> j.state() == JobState.IN_QUEUE
                ? JobTransitions.cancel(j, clock.instant()) : null).ifPresent(outcomes::finished));
    }

    // ---------------------------------------------------------------- views for scaling, health and metrics

    /** The demand on one version of a function: its lane's queue and the jobs its workers run. */
    public QueueStats stats(String function, int version) {
        LanedQueue q = table.queue(function);
        Lane lane = table.functions.laneOfJob(function, version);
        int low = q.lowPrioritySize(lane);
        int inFlight = 0;
        for (Worker w : workers.ofFunction(function)) {
            if (table.functions.laneOfJob(function, w.version()) == lane) {
                inFlight += w.inFlightCount();
            }
        }
        return new QueueStats(q.size(lane) - low, low, inFlight);
    }

    public QueueStats stats(String function) {
        LanedQueue q = table.queue(function);
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
        return table.all().stream().filter(j -> j.function().equals(function) && j.state() == JobState.IN_QUEUE)
                .map(j -> Duration.between(j.queuedAt(), now)).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /** How long the jobs at the heads of the function's queue have waited, the longest (zero when none waits). */
    public Duration headOfQueueWait(String function) {
        Duration longest = Duration.ZERO;
        for (String id : table.queue(function).heads()) {
            Job j = table.live(id);
            if (j != null && j.state() == JobState.IN_QUEUE) {
                Duration d = Duration.between(j.queuedAt(), clock.instant());
                longest = d.compareTo(longest) > 0 ? d : longest;
            }
        }
        return longest;
    }

    /** The jobs a listing asks for, newest first (see {@link dev.hearth.jobs.JobSearch}). */
    public List<Job> search(dev.hearth.jobs.JobSearch search) {
        return table.store.search(search);
    }

    /** Timings of the function's jobs that finished since {@code since}, newest first (for latency statistics). */
    public List<dev.hearth.jobs.JobTiming> finishedSince(String function, Instant since, int limit) {
        return table.store.finishedSince(function, since, limit);
    }

    /** How many times jobs of the function went back to the queue since this control plane started. */
    public long retried(String function) {
        return outcomes.retried(function);
    }

    /**
     * Finished jobs of the function by final state, for health. Counted in the store once at start (see
     * {@link #recover}) and in memory from then on: a count over the jobs table on every health call grew with it.
     */
    public Map<JobState, Long> counts(String function) {
        return outcomes.counts(function);
    }

    /** Deletes finished jobs older than {@code before} (result retention), and takes them off the health counts. */
    public int deleteFinishedBefore(Instant before) {
        return outcomes.deleteFinishedBefore(before);
    }

    public record QueueStats(int queued, int queuedLowPriority, int inFlight) {
    }
}
