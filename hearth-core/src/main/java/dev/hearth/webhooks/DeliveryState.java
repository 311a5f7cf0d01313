package dev.hearth.webhooks;

/** Where a webhook delivery stands, spelled as the job's status object shows it. */
public enum DeliveryState {
    /** Not delivered yet; another attempt is due at {@link WebhookDelivery#nextAttemptAt()}. */
    PENDING,
    /** The receiver answered 2xx. */
    DELIVERED,
    /** Every attempt failed; no more will be made. */
    FAILED
}
