package dev.hearth.server.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What the HTTP edge allows one connection and one client address, so that slow or idle sockets cannot hold the
 * server's connections for ever, nor starve the workers of theirs.
 *
 * @param idleTimeout       how long a keep-alive connection may sit without starting a request
 * @param headTimeout       how long a request's head (request line and headers) may take from its first byte
 * @param bodyTimeoutFloor  the least time a request body may take, whatever its size
 * @param bodyMinRate       bytes per second a body must average beyond the floor: a body of n bytes gets
 *                          {@code floor + n / rate}
 * @param writeTimeout      how long one write of an answer may wait for a client that does not read
 * @param maxHeaderBytes    the most bytes of request line and headers (more: 431)
 * @param maxUnauthenticated connections that have not yet made a request with a valid key or worker token; beyond
 *                          this a new connection pushes out the oldest idle one, or is closed if none is idle
 * @param maxPerAddress     connections of clients (not workers) from one address, with the same rule
 */
public record EdgeLimits(Duration idleTimeout, Duration headTimeout, Duration bodyTimeoutFloor, long bodyMinRate,
                         Duration writeTimeout, int maxHeaderBytes, int maxUnauthenticated, int maxPerAddress) {

    public static final EdgeLimits DEFAULT = new EdgeLimits(Duration.ofMinutes(5), Duration.ofSeconds(10),
            Duration.ofSeconds(10), 64 * 1024, Duration.ofSeconds(30), 64 * 1024, 1024, 256);

    public EdgeLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(headTimeout, "headTimeout");
        Objects.requireNonNull(bodyTimeoutFloor, "bodyTimeoutFloor");
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (bodyMinRate <= 0 || maxHeaderBytes <= 0 || maxUnauthenticated <= 0 || maxPerAddress <= 0) {
            throw new IllegalArgumentException("edge limits must be positive: " + bodyMinRate + ", " + maxHeaderBytes
                    + ", " + maxUnauthenticated + ", " + maxPerAddress);
        }
    }

    /** The time a body of {@code bytes} may take to arrive. */
    long bodyTimeoutNanos(long bytes) {
        double proportional = (double) Math.max(bytes, 0) / bodyMinRate * 1e9;
        return bodyTimeoutFloor.toNanos() + (long) Math.min(proportional, Long.MAX_VALUE / 4);
    }

    public EdgeLimits withTimeouts(Duration idle, Duration head, Duration bodyFloor, Duration write) {
        return new EdgeLimits(idle, head, bodyFloor, bodyMinRate, write, maxHeaderBytes, maxUnauthenticated,
                maxPerAddress);
    }

    public EdgeLimits withConnectionCaps(int unauthenticated, int perAddress) {
        return new EdgeLimits(idleTimeout, headTimeout, bodyTimeoutFloor, bodyMinRate, writeTimeout, maxHeaderBytes,
                unauthenticated, perAddress);
    }
}
