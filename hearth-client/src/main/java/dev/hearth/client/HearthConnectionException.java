package dev.hearth.client;

import java.net.URI;

/** The server could not be reached, or the connection broke before it answered. */
public final class HearthConnectionException extends HearthClientException {

    private final URI server;
    private final boolean refused;

    /**
     * A failure to talk to {@code server}; {@code refused} when nothing listens there, false when the connection
     * broke or timed out.
     */
    public HearthConnectionException(URI server, boolean refused, String message, Throwable cause) {
        super(message, cause);
        this.server = server;
        this.refused = refused;
    }

    /** The server URL the client was talking to. */
    public URI server() {
        return server;
    }

    /** True when nothing listens at {@link #server()} (as opposed to a connection lost mid-request). */
    public boolean refused() {
        return refused;
    }
}
