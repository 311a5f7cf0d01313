package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobStore;
import dev.hearth.retry.Backoff;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.releases.Lane;
import dev.hearth.time.Ticker;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The unfinished jobs kept in memory ({@code live}) with their per-function queues of waiting ids, so that the
 * dispatch path never reads the store, and the one way every part of the job service changes a job: compare-and-set
 * against the store ({@link #change}), visible only once written.
 */
final class JobTable {

    final JobStore store;
    final FunctionRegistry functions;
    final Ticker clock;
    private final ConcurrentHashMap<String, Job> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LanedQueue> queues = new ConcurrentHashMap<>();
    /** False once the control plane stops: no job is handed out, and a lost lease is not the job's fault. */
    private volatile boolean accepting = true;

    JobTable(JobStore store, FunctionRegistry functions, Ticker clock) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
    }

    boolean accepting() {
        return accepting;
    }

    /** Stops handing out jobs; waiting long-polls return at once. */
    void stopAccepting() {
        accepting = false;
        queues.values().forEach(LanedQueue::wakeAll);
    }

    /** The live job, or null when it is not live (finished, expired or unknown). */
    Job live(String id) {
        return live.get(id);
    }

    void put(Job job) {
        live.put(job.id(), job);
    }

    void remove(String id) {
        live.remove(id);
    }

    /** Keeps the job live while it is unfinished, and drops it once final. */
    void keep(Job job) {
        if (job.state().isFinal()) {
            live.remove(job.id());
        } else {
            live.put(job.id(), job);
        }
    }

    Collection<Job> all() {
        return live.values();
    }

    /** A job by id alone, whatever its function: live, or from the store. */
    Optional<Job> find(String id) {
        Job j = live.get(id);
        return j != null ? Optional.of(j) : store.find(id);
    }

    /**
     * Applies a change with compare-and-set against the store; {@code f} returns null to make no change. Retries when
     * another thread changed the job first.
     */
    Optional<Job> change(String id, UnaryOperator<Job> f) {
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
                keep(next);
                return Optional.of(next);
            }
            reload(id);
        }
        throw new IllegalStateException("job " + id + " kept changing; gave up after 16 attempts");
    }

    /** Takes the stored job as the live one (or drops it, once final or gone): another writer came first. */
    void reload(String id) {
        Optional<Job> stored = store.find(id);
        if (stored.isPresent() && !stored.get().state().isFinal()) {
            live.put(id, stored.get());
        } else {
            live.remove(id);
        }
    }

    LanedQueue queue(String function) {
        return queues.computeIfAbsent(function, f -> new LanedQueue(clock, this::laneOf));
    }

    /** Queues a job at the back, or for later when it is backing off. */
    void enqueue(Job j) {
        FunctionQueue.Entry entry = new FunctionQueue.Entry(j.id(), j.policy().lowPriority());
        if (j.isBackingOff(clock.instant())) {
            queue(j.function()).addDelayed(entry, j.runAfter());
        } else {
            queue(j.function()).add(entry);
        }
    }

    /** When a failed attempt's retry may start: the function's retry backoff (null: at once). */
    Instant retryAt(Job failed) {
        Backoff backoff = functions.latest(failed.function()).map(v -> v.manifest().retryBackoff())
                .orElse(Backoff.NONE);
        return backoff.isNone() ? null : backoff.notBefore(Math.max(1, failed.attempts()), clock);
    }

    /** A queued job's lane: that of the version it was assigned at submit (or ran on last, after a lost lease). */
    private Lane laneOf(String jobId) {
        Job j = live.get(jobId);
        return j == null ? Lane.STABLE : functions.laneOfJob(j.function(), j.version());
    }
}
