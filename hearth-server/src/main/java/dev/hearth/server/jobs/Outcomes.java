package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where every attempt ends, once its change is durable: back to the queue, or a final state. Both tidy the job's
 * lease and waiters, count it for health, and tell the listeners.
 */
final class Outcomes {

    private final JobTable table;
    private final Leases leases;
    private final Waiters waiters;
    private final JobEvents events;
    private final ConcurrentHashMap<String, Map<JobState, LongAdder>> finishedCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> retried = new ConcurrentHashMap<>();

    Outcomes(JobTable table, Leases leases, Waiters waiters, JobEvents events) {
        this.table = table;
        this.leases = leases;
        this.waiters = waiters;
        this.events = events;
    }

    void requeued(Job job, String reason) {
        retried.computeIfAbsent(job.function(), f -> new LongAdder()).increment();
        leases.remove(job.id());
        waiters.requeued(job.id());
        // told before the job is back in the queue: a waiting worker may lease it at once, and the timeline must see
        // the requeue before that lease (and not take the new lease for the one that ended)
        events.requeued(job, reason);
        FunctionQueue.Entry entry = new FunctionQueue.Entry(job.id(), job.policy().lowPriority());
        if (job.runAfter() != null) {
            table.queue(job.function()).addDelayed(entry, job.runAfter());
        } else {
            table.queue(job.function()).addFirst(entry);
        }
    }

    void finished(Job job) {
        finishedCounter(job.function()).get(job.state()).increment();
        leases.remove(job.id());
        waiters.finished(job);
        events.finished(job);
    }

    /** How many times jobs of the function went back to the queue since this control plane started. */
    long retried(String function) {
        var n = retried.get(function);
        return n == null ? 0 : n.sum();
    }

    /** Finished jobs of the function by final state: see {@link JobService#counts}. */
    Map<JobState, Long> counts(String function) {
        Map<JobState, Long> out = new EnumMap<>(JobState.class);
        finishedCounter(function).forEach((state, n) -> out.put(state, n.sum()));
        return out;
    }

    /** Adds the store's count of finished jobs at start. */
    void countStored() {
        table.store.countFinishedBefore(Instant.ofEpochMilli(Long.MAX_VALUE)).forEach((fn, byState) ->
                byState.forEach((state, n) -> finishedCounter(fn).get(state).add(n)));
    }

    /** Deletes finished jobs older than {@code before} (result retention), and takes them off the health counts. */
    int deleteFinishedBefore(Instant before) {
        // Final jobs that old no longer change, so counting them first and deleting them next agree.
        Map<String, Map<JobState, Long>> gone = table.store.countFinishedBefore(before);
        int deleted = table.store.deleteFinishedBefore(before);
        gone.forEach((fn, byState) -> byState.forEach((state, n) -> finishedCounter(fn).get(state).add(-n)));
        return deleted;
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
}
