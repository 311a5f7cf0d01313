package dev.hearth.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The HTTP server in front of Hearth's routes: {@link HttpEdge} (Jetty) in the server; another one may serve the same
 * routes through the same {@link Exchange} (bench/'s Helidon edge, which measures the other candidate of the choice).
 */
public interface Edge extends AutoCloseable {

    /** Binds an edge that answers every request with {@code handler}; serving starts with {@link #start()}. */
    @FunctionalInterface
    interface Factory {
        Edge bind(InetSocketAddress address, EdgeLimits limits, HttpEdge.Tls tls, Exchange.Handler handler)
                throws IOException;
    }

    /** Hearth's own edge. */
    Factory JETTY = HttpEdge::bind;

    void start();

    /** The address bound (its port, when port 0 was asked for). */
    InetSocketAddress address();

    /** Whether it speaks HTTPS. */
    boolean tls();

    @Override
    void close();
}
