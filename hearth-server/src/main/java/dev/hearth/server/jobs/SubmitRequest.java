package dev.hearth.server.jobs;

import java.time.Duration;

/**
 * A client's request to run a function, validated by the API layer.
 *
 * @param input            raw JSON of {@code input}
 * @param executionTimeout null to use the function's {@code timeout}
 * @param ttl              null for the default of 24 h
 * @param version          the released version (active or canary) the job must run on, or null for the release's
 *                         choice (a Replicate client naming a version)
 */
public record SubmitRequest(String input, String webhook, Duration executionTimeout, Duration ttl,
                            boolean lowPriority, Integer version) {

    public SubmitRequest(String input, String webhook, Duration executionTimeout, Duration ttl, boolean lowPriority) {
        this(input, webhook, executionTimeout, ttl, lowPriority, null);
    }
}
