package dev.hearth.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of a job's timeline: queued, leased to a worker, progress, requeued, final. Observations, not state: the
 * {@link Job} row stays the truth about a job, the events say how it got there (attempt by attempt).
 *
 * @param jobId      the job
 * @param seq        orders events of the same millisecond (assigned by the recorder, increasing)
 * @param at         when it happened
 * @param type       what happened
 * @param attempt    the attempt it belongs to (0 while never leased; 1 for the first lease)
 * @param workerId   the worker involved, or null
 * @param node       the node of that worker, or null
 * @param version    the function version that ran (or was asked for), or null
 * @param coldStart  for {@link JobEventType#LEASED}: whether the job waited for its worker to start; else null
 * @param initTimeMs for a cold {@link JobEventType#LEASED} and {@link JobEventType#WORKER_STARTED}: the worker's
 *                   start-up time; else null
 * @param logOffset  for events tied to a worker: the size in bytes of the worker's log file at that moment (the
 *                   slice between a lease and the attempt's end is what the worker printed meanwhile), else null
 * @param detail     a reason or message (requeue reason, error, progress), or null
 */
public record JobEvent(String jobId, long seq, Instant at, JobEventType type, int attempt, String workerId,
                       String node, Integer version, Boolean coldStart, Long initTimeMs, Long logOffset,
                       String detail) {

    public JobEvent {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
    }
}
