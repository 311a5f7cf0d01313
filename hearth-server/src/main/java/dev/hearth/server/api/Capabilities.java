package dev.hearth.server.api;

import dev.hearth.store.SettingsStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Capability URLs: a query {@code expires=<epoch s>&sig=<HMAC>} that lets whoever holds the URL read one thing (a
 * prediction's stream, a file) until it expires, without an API key, as Replicate's clients fetch them. The key is
 * made at first start and kept in the settings, so URLs handed out survive a restart.
 */
final class Capabilities {

    private static final String SETTING = "capability_key";
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] key;

    private Capabilities(byte[] key) {
        this.key = key;
    }

    static Capabilities load(SettingsStore settings) {
        Optional<String> stored = settings.get(SETTING);
        if (stored.isPresent()) {
            return new Capabilities(Base64.getDecoder().decode(stored.get()));
        }
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        settings.put(SETTING, Base64.getEncoder().encodeToString(raw));
        return new Capabilities(raw);
    }

    /** The query that grants reading {@code what} (such as {@code stream:<id>}) until {@code expires}. */
    String query(String what, Instant expires) {
        long e = expires.getEpochSecond();
        return "expires=" + e + "&sig=" + sign(what, e);
    }

    /** Whether the query's signature grants {@code what} at {@code now}. */
    boolean grants(String what, String expires, String sig, Instant now) {
        if (expires == null || sig == null || !expires.matches("[0-9]{1,12}")) {
            return false;
        }
        long e = Long.parseLong(expires);
        return e >= now.getEpochSecond() && MessageDigest.isEqual(sign(what, e).getBytes(StandardCharsets.US_ASCII),
                sig.getBytes(StandardCharsets.US_ASCII));
    }

    private String sign(String what, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return URL.encodeToString(mac.doFinal((what + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
