package dev.hearth.webhooks;

import java.time.Instant;

/**
 * The delivery of one job event (its final state) to the job's webhook: how many attempts were made and how the last
 * one went. Immutable; the next state comes from {@link WebhookRetryPolicy}.
 *
 * @param jobId          the job
 * @param webhookId      the {@code webhook-id} header: the same for every attempt of this event, so receivers can
 *                       drop duplicates
 * @param url            where it goes
 * @param state          pending, delivered or failed
 * @param attempts       attempts made so far
 * @param lastStatusCode the HTTP status of the last attempt, or null (none yet, or no answer)
 * @param lastError      why the last attempt failed, or null
 * @param nextAttemptAt  when the next attempt is due while pending, else null
 * @param updatedAt      when this record last changed
 */
public record WebhookDelivery(String jobId, String webhookId, String url, DeliveryState state, int attempts,
                              Integer lastStatusCode, String lastError, Instant nextAttemptAt, Instant updatedAt) {

    /** A delivery about to make its first attempt. */
    public static WebhookDelivery pending(String jobId, String webhookId, String url, Instant now) {
        return new WebhookDelivery(jobId, webhookId, url, DeliveryState.PENDING, 0, null, null, now, now);
    }
}
