package dev.hearth.server.api;

import dev.hearth.errors.HearthException;
import dev.hearth.store.SettingsStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's webhook signing secret, in the Standard Webhooks form ({@code whsec_} + base64 of the key bytes), as
 * Replicate uses it. Generated at first start and kept in the settings, or set with {@code HEARTH_WEBHOOK_SECRET}.
 * Unlike the API key it is stored as is: signing needs it.
 */
public final class WebhookSecret {

    static final String PREFIX = "whsec_";
    private static final String SETTING = "webhook_secret";

    private final String secret;
    private final byte[] key;

    private WebhookSecret(String secret) {
        this.secret = secret;
        try {
            this.key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("a webhook secret must be whsec_ followed by base64, e.g. as "
                    + "GET /v1/webhooks/secret shows it");
        }
        if (key.length < 16) {
            throw new HearthException.BadRequest("a webhook secret needs at least 16 key bytes (24 base64 "
                    + "characters after whsec_)");
        }
    }

    /** The configured secret (stored for later starts), else the stored one, else a new one. */
    public static WebhookSecret load(SettingsStore settings, String configured) {
        if (configured != null && !configured.isBlank()) {
            String s = configured.trim();
            if (!s.startsWith(PREFIX)) {
                throw new HearthException.BadRequest("HEARTH_WEBHOOK_SECRET must start with whsec_");
            }
            WebhookSecret secret = new WebhookSecret(s);
            settings.put(SETTING, s);
            return secret;
        }
        Optional<String> stored = settings.get(SETTING);
        if (stored.isPresent()) {
            return new WebhookSecret(stored.get());
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String s = PREFIX + Base64.getEncoder().encodeToString(raw);
        settings.put(SETTING, s);
        return new WebhookSecret(s);
    }

    /** The secret as receivers configure it: {@code whsec_...}. */
    String value() {
        return secret;
    }

    /**
     * The {@code webhook-signature} header: {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body}.
     *
     * @param timestamp seconds since the epoch, as sent in {@code webhook-timestamp}
     */
    String sign(String webhookId, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
