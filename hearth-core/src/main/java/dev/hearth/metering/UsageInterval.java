package dev.hearth.metering;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A stretch of one worker's life in one {@link UsageKind}, with what it cost. A worker's intervals follow one another
 * without gaps from its start to its exit; a long stretch may be cut into several (see the recorder's checkpoints).
 *
 * @param node  where the worker ran
 * @param tier  the rate it is billed at
 * @param start inclusive, ms precision
 * @param end   exclusive
 * @param cost  {@code end - start} at the catalog rate of {@code resources} in {@code tier}, fixed when recorded
 */
public record UsageInterval(String workerId, String function, int version, String node, Resources resources,
                            PriceTier tier, UsageKind kind, Instant start, Instant end, Money cost) {

    public UsageInterval {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(kind, "kind");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("an interval cannot end (" + end + ") before it starts (" + start
                    + ")");
        }
    }

    /** The interval priced by the catalog. */
    public static UsageInterval priced(String workerId, String function, int version, String node, Resources resources,
                                       PriceTier tier, UsageKind kind, Instant start, Instant end,
                                       PriceCatalog catalog) {
        long ms = Duration.between(start, end).toMillis();
        return new UsageInterval(workerId, function, version, node, resources, tier, kind, start, end,
                catalog.cost(resources, tier, ms));
    }

    public long millis() {
        return Duration.between(start, end).toMillis();
    }

    /** GPU-milliseconds: the time times the GPUs held (0 for a CPU-only worker). */
    public long gpuMillis() {
        return millis() * resources.gpuCount();
    }
}
