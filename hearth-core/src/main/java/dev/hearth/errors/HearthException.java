package dev.hearth.errors;

/**
 * The one error hierarchy of Hearth: a closed set of kinds of failure, each a subclass, with a message written for the
 * caller that says what to fix. Core knows nothing of HTTP: the API layer maps each kind to its status and renders it
 * as {@code application/problem+json}.
 */
public abstract sealed class HearthException extends RuntimeException
        permits HearthException.BadRequest, HearthException.Unauthorized, HearthException.NotFound,
                HearthException.Conflict, HearthException.PayloadTooLarge, HearthException.PaymentRequired,
                HearthException.Unavailable, HearthException.Unprocessable,
                HearthException.InsufficientStorage {

    protected HearthException(String message) {
        super(message, null, false, false);
    }

    /** The input is malformed or out of range. */
    public static non-sealed class BadRequest extends HearthException {
        public BadRequest(String message) {
            super(message);
        }
    }

    /** No valid key or token came with the request. */
    public static final class Unauthorized extends HearthException {
        public Unauthorized(String message) {
            super(message);
        }
    }

    /** A budget would be exceeded by the job. */
    public static final class PaymentRequired extends HearthException {
        public PaymentRequired(String message) {
            super(message);
        }
    }

    public static final class NotFound extends HearthException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The request contradicts the current state (a lost lease, a used idempotency key, a version not released). */
    public static final class Conflict extends HearthException {
        public Conflict(String message) {
            super(message);
        }
    }

    public static final class PayloadTooLarge extends HearthException {
        public PayloadTooLarge(String message) {
            super(message);
        }
    }

    /** Well-formed but not doable as asked: a function's Python environment that pip cannot build, say. */
    public static final class Unprocessable extends HearthException {
        public Unprocessable(String message) {
            super(message);
        }
    }

    /** Not now: the control plane is shutting down, a version is crash looping, the disk is full. */
    public static final class Unavailable extends HearthException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /**
     * The server's disk is full, or below the free-space floor it keeps ({@code --min-free-disk}): nothing was
     * written, and the same request succeeds once space is freed.
     */
    public static final class InsufficientStorage extends HearthException {
        public InsufficientStorage(String message) {
            super(message);
        }
    }
}
