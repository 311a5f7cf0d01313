package dev.hearth.client;

import java.time.Instant;

/**
 * One deployed version of a function.
 *
 * @param status        {@code active}, {@code canary} or {@code inactive}
 * @param canaryPercent the share of new jobs it receives while it is the canary, else null
 */
public record VersionInfo(int version, Instant deployedAt, String bundleSha256, String status,
                          Integer canaryPercent) {
}
