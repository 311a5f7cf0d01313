package dev.hearth.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each lease of a running job runs out, by job id. Kept in memory only: after a restart every in-progress job
 * goes back to the queue anyway, since its worker died with the old control plane.
 */
final class Leases {

    private final ConcurrentHashMap<String, Instant> until = new ConcurrentHashMap<>();
    private final Duration duration;

    Leases(Duration duration) {
        this.duration = duration;
    }

    /** How long a lease lasts without a heartbeat or a post: three ping intervals. */
    Duration duration() {
        return duration;
    }

    void put(String jobId, Instant expiresAt) {
        until.put(jobId, expiresAt);
    }

    /** A whole new lease from {@code now}. */
    void renew(String jobId, Instant now) {
        until.put(jobId, now.plus(duration));
    }

    /** Renews the lease only if the job still has one. */
    void extend(String jobId, Instant expiresAt) {
        until.computeIfPresent(jobId, (k, v) -> expiresAt);
    }

    void remove(String jobId) {
        until.remove(jobId);
    }

    Set<Map.Entry<String, Instant>> entries() {
        return until.entrySet();
    }

    Set<String> jobIds() {
        return until.keySet();
    }
}
