package dev.hearth.alerts;

import java.time.Instant;

/**
 * A firing or a resolution of a rule, as recorded; its notification's progress is updated in place.
 *
 * @param id           unique; also the notification's {@code webhook-id}
 * @param rule         the rule's name
 * @param function     the function it watches, or null for all
 * @param at           when it happened
 * @param state        {@link AlertState#FIRING} or {@link AlertState#RESOLVED}
 * @param value        the value that fired or resolved it (null: no value any more)
 * @param summary      one line for people, e.g. {@code p95 latency of echo is 3.1s (> 2s for 5m)}
 * @param notification where its notification stands: {@code none}, {@code pending}, {@code delivered} or
 *                     {@code failed: <why>}
 */
public record AlertEvent(String id, String rule, String function, Instant at, AlertState state, Double value,
                         String summary, String notification) {

    public AlertEvent withNotification(String progress) {
        return new AlertEvent(id, rule, function, at, state, value, summary, progress);
    }
}
