package dev.hearth.client;

/**
 * Base of every failure the client reports. Unchecked, so that {@code fn.remote(x)} reads like a local call; catch
 * the subclasses to tell an unreachable server, a refused request and a failed job apart.
 */
public class HearthClientException extends RuntimeException {

    /** A failure described by {@code message}. */
    public HearthClientException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public HearthClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
