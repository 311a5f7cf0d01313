package dev.hearth.webhooks;

import java.util.List;
import java.util.Optional;

/** The durable record of webhook deliveries, one per job (its latest event). Writes are durable on return. */
public interface WebhookDeliveryStore {

    /** Inserts or replaces the delivery of {@code delivery.jobId()}. */
    void save(WebhookDelivery delivery);

    Optional<WebhookDelivery> find(String jobId);

    /** Deliveries still pending, for resuming them after a restart. */
    List<WebhookDelivery> pending();
}
