package dev.hearth.errors;

/**
 * The one error hierarchy of Hearth. Every subclass maps to an HTTP status and is rendered by the API layer as
 * {@code application/problem+json}; the message is written for the caller and says what to fix.
 */
public sealed class HearthException extends RuntimeException
        permits HearthException.BadRequest, HearthException.Unauthorized, HearthException.NotFound,
                HearthException.Conflict, HearthException.PayloadTooLarge, HearthException.PaymentRequired,
                HearthException.Unavailable, HearthException.Unprocessable {

    private final int status;
    private final String title;

    protected HearthException(int status, String title, String message) {
        super(message, null, false, false);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static non-sealed class BadRequest extends HearthException {
        public BadRequest(String message) {
            super(400, "Bad Request", message);
        }
    }

    public static final class Unauthorized extends HearthException {
        public Unauthorized(String message) {
            super(401, "Unauthorized", message);
        }
    }

    public static final class PaymentRequired extends HearthException {
        public PaymentRequired(String message) {
            super(402, "Budget Exceeded", message);
        }
    }

    public static final class NotFound extends HearthException {
        public NotFound(String message) {
            super(404, "Not Found", message);
        }
    }

    public static final class Conflict extends HearthException {
        public Conflict(String message) {
            super(409, "Conflict", message);
        }
    }

    public static final class PayloadTooLarge extends HearthException {
        public PayloadTooLarge(String message) {
            super(413, "Payload Too Large", message);
        }
    }

    /** Well-formed but not doable as asked: a function's Python environment that pip cannot build, say. */
    public static final class Unprocessable extends HearthException {
        public Unprocessable(String message) {
            super(422, "Unprocessable Content", message);
        }
    }

    public static final class Unavailable extends HearthException {
        public Unavailable(String message) {
            super(503, "Service Unavailable", message);
        }
    }
}
