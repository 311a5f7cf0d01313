package dev.hearth.webhooks;

import dev.hearth.retry.Backoff;
import java.time.InstantSource;

/**
 * When a webhook delivery is tried again: after a non-2xx answer or a connection error, with exponential backoff,
 * until {@code maxAttempts} attempts were made. Pure: the clock is injected.
 */
public record WebhookRetryPolicy(Backoff backoff, int maxAttempts, InstantSource clock) {

    public WebhookRetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The receiver answered {@code status}; a 2xx delivers, anything else counts as a failed attempt. */
    public WebhookDelivery answered(WebhookDelivery d, int status) {
        if (status / 100 == 2) {
            return new WebhookDelivery(d.jobId(), d.webhookId(), d.url(), DeliveryState.DELIVERED, d.attempts() + 1,
                    status, null, null, clock.instant());
        }
        return failed(d, status, "the receiver answered HTTP " + status);
    }

    /** The attempt got no answer (connection refused, timeout, ...). */
    public WebhookDelivery unreachable(WebhookDelivery d, String error) {
        return failed(d, null, error);
    }

    /** The destination may not be reached at all ({@link WebhookTargets}): the delivery fails without retries. */
    public WebhookDelivery refused(WebhookDelivery d, String reason) {
        return new WebhookDelivery(d.jobId(), d.webhookId(), d.url(), DeliveryState.FAILED, d.attempts() + 1, null,
                reason, null, clock.instant());
    }

    private WebhookDelivery failed(WebhookDelivery d, Integer status, String error) {
        int attempts = d.attempts() + 1;
        if (attempts >= maxAttempts) {
            return new WebhookDelivery(d.jobId(), d.webhookId(), d.url(), DeliveryState.FAILED, attempts, status,
                    error, null, clock.instant());
        }
        return new WebhookDelivery(d.jobId(), d.webhookId(), d.url(), DeliveryState.PENDING, attempts, status, error,
                backoff.notBefore(attempts, clock), clock.instant());
    }
}
