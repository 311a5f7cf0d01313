package dev.hearth.client;

import java.time.Instant;

/**
 * Which versions of a function serve its jobs.
 *
 * @param active        the version new jobs run on (bar the canary's share)
 * @param canaryVersion the canary's version while one runs, else null
 * @param canaryPercent the canary's share of new jobs while one runs, else null
 * @param releasedAt    when this release was made
 */
public record ReleaseInfo(String name, int active, Integer canaryVersion, Integer canaryPercent,
                          Instant releasedAt) {
}
