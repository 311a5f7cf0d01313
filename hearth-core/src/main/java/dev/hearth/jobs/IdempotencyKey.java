package dev.hearth.jobs;

import dev.hearth.errors.HearthException;
import java.util.regex.Pattern;

/**
 * A client's {@code Idempotency-Key} for one submit, with a fingerprint of the request it came with: the same key on
 * the same function gives the same job; the same key with another request is a conflict.
 *
 * @param key         the header's value: 1 to 255 visible ASCII characters
 * @param requestHash a fingerprint (SHA-256, hex) of the submitted body
 */
public record IdempotencyKey(String key, String requestHash) {

    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1,255}");

    public IdempotencyKey {
        if (key == null || !VALID.matcher(key).matches()) {
            throw new HearthException.BadRequest("the Idempotency-Key header must be 1 to 255 visible ASCII "
                    + "characters (no spaces), e.g. a UUID");
        }
        if (requestHash == null || requestHash.isBlank()) {
            throw new IllegalArgumentException("requestHash is required");
        }
    }

    /**
     * What a keyed insert found.
     *
     * @param job         the job that holds the key: the new one, or the one stored earlier with the same key
     * @param requestHash the fingerprint stored with that job
     * @param created     whether {@code job} was inserted by this call
     */
    public record Claim(Job job, String requestHash, boolean created) {
    }
}
