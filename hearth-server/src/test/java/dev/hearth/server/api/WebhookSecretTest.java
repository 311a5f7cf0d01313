package dev.hearth.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import dev.hearth.store.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretTest {

    @TempDir
    Path dir;

    @Test
    void aSecretIsGeneratedOnceAndKeptAcrossStarts() {
        String first;
        try (SqliteStore store = SqliteStore.open(dir)) {
            first = WebhookSecret.load(store, null).value();
        }
        try (SqliteStore store = SqliteStore.open(dir)) {
            assertThat(WebhookSecret.load(store, null).value()).isEqualTo(first);
        }
        assertThat(first).startsWith("whsec_").hasSizeGreaterThan(40);
    }

    @Test
    void aConfiguredSecretReplacesTheStoredOne() {
        String configured = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        try (SqliteStore store = SqliteStore.open(dir)) {
            WebhookSecret.load(store, null);
            assertThat(WebhookSecret.load(store, configured).value()).isEqualTo(configured);
            assertThat(WebhookSecret.load(store, null).value()).isEqualTo(configured);
        }
    }

    @Test
    void signaturesFollowTheStandardWebhooksExample() {
        // the example from the Standard Webhooks specification
        try (SqliteStore store = SqliteStore.open(dir)) {
            WebhookSecret secret = WebhookSecret.load(store, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            String body = "{\"test\": 2432232314}";

            assertThat(secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                    body.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        }
    }

    @Test
    void aMalformedConfiguredSecretIsRefused() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            assertThatThrownBy(() -> WebhookSecret.load(store, "not-a-secret"))
                    .isInstanceOf(HearthException.BadRequest.class).hasMessageContaining("whsec_");
        }
    }
}
