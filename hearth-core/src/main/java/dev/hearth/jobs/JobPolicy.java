package dev.hearth.jobs;

import java.time.Duration;

/**
 * Per-job limits, as RunPod's {@code policy} object: execution timeout, time to live from submission, and whether the
 * job may trigger a scale-up.
 */
public record JobPolicy(Duration executionTimeout, Duration ttl, boolean lowPriority) {

    public static final Duration DEFAULT_TTL = Duration.ofHours(24);

    public JobPolicy {
        if (executionTimeout == null || executionTimeout.isNegative() || executionTimeout.isZero()) {
            throw new IllegalArgumentException("executionTimeout must be positive");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }
}
