package dev.hearth.client;

/**
 * The server refused a request and said why in an {@code application/problem+json} answer (or, from something that
 * is not Hearth, in whatever body it sent). The message is the problem's {@code detail}.
 */
public final class HearthApiException extends HearthClientException {

    private final int status;
    private final String title;
    private final String detail;

    /** A refusal with the HTTP {@code status}, the problem's {@code title} and its {@code detail}. */
    public HearthApiException(int status, String title, String detail) {
        super(detail);
        this.status = status;
        this.title = title;
        this.detail = detail;
    }

    /** The HTTP status, e.g. 404. */
    public int status() {
        return status;
    }

    /** The problem's title, e.g. {@code Not Found}. */
    public String title() {
        return title;
    }

    /** What went wrong and what to fix, as written by the server. */
    public String detail() {
        return detail;
    }
}
