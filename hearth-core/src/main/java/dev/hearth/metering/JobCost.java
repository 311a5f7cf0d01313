package dev.hearth.metering;

import java.time.Duration;
import java.time.Instant;

/**
 * What one attempt of a job cost: its busy time on its worker's resources, from lease to result, at the worker's rate.
 * A job that was retried has one record per attempt.
 *
 * @param attempt 1 for the first run
 */
public record JobCost(String jobId, int attempt, String function, int version, String workerId, Resources resources,
                      PriceTier tier, Instant start, Instant end, Money cost) {

    public static JobCost priced(String jobId, int attempt, String function, int version, String workerId,
                                 Resources resources, PriceTier tier, Instant start, Instant end,
                                 PriceCatalog catalog) {
        long ms = Math.max(0, Duration.between(start, end).toMillis());
        return new JobCost(jobId, attempt, function, version, workerId, resources, tier, start, end,
                catalog.cost(resources, tier, ms));
    }

    public long millis() {
        return Math.max(0, Duration.between(start, end).toMillis());
    }
}
