package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import dev.hearth.server.workers.Worker;

/**
 * What the job service tells the rest of the control plane: metrics, webhooks, the autoscaler and the worker pool
 * listen. Called after the change is durable; listeners must not block.
 */
public interface JobEvents {

    default void submitted(Job job) {
    }

    default void started(Job job, Worker worker) {
    }

    default void requeued(Job job, String reason) {
    }

    /** The worker running the job reported progress ({@code progress} is its JSON, or null). */
    default void progressed(Job job, Worker worker, String progress) {
    }

    /** The job reached a final state. */
    default void finished(Job job) {
    }

    /** The job was deleted before it reached a final state (its TTL ran out): it has no final event. */
    default void removed(Job job) {
    }

    /** The worker should be replaced: it timed out on a job, or asked to be (stopPod). */
    default void retireWorker(Worker worker, String reason) {
    }

    /** The worker should take no new job, finish those it runs, then stop: its version is no longer released. */
    default void drainWorker(Worker worker, String reason) {
    }
}
