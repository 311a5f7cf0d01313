package dev.hearth.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.retry.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WebhookRetryPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final InstantSource clock = now::get;
    private final WebhookRetryPolicy policy = new WebhookRetryPolicy(
            new Backoff(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(10)), 3, clock);

    @Test
    void a2xxAnswerDelivers() {
        WebhookDelivery d = policy.answered(WebhookDelivery.pending("j", "msg", "http://h", T0), 204);

        assertThat(d.state()).isEqualTo(DeliveryState.DELIVERED);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.lastStatusCode()).isEqualTo(204);
        assertThat(d.nextAttemptAt()).isNull();
    }

    @Test
    void failedAttemptsAreRetriedWithBackoffUntilTheLimit() {
        WebhookDelivery d = WebhookDelivery.pending("j", "msg", "http://h", T0);

        d = policy.answered(d, 500);
        assertThat(d.state()).isEqualTo(DeliveryState.PENDING);
        assertThat(d.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(d.lastError()).contains("HTTP 500");

        now.set(T0.plusSeconds(10));
        d = policy.unreachable(d, "ConnectException");
        assertThat(d.state()).isEqualTo(DeliveryState.PENDING);
        assertThat(d.nextAttemptAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(d.lastStatusCode()).isNull();

        now.set(T0.plusSeconds(30));
        d = policy.answered(d, 503);
        assertThat(d.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(d.nextAttemptAt()).isNull();
        assertThat(d.webhookId()).isEqualTo("msg");
    }
}
