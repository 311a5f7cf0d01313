package dev.hearth.server.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A small HTTP/1.1 server: one virtual thread per connection, blocking reads and writes, keep-alive, chunked and
 * fixed-length request bodies, {@code Expect: 100-continue}.
 *
 * <p>Why not the JDK's {@code com.sun.net.httpserver}: it hands every request from a selector thread to the executor
 * and back, switching the socket between blocking and non-blocking mode and waking the selector each time. On a
 * 2-core machine those system calls were most of the control plane's CPU per job. Here a connection's requests are
 * read and answered by the same virtual thread, which parks in the JDK's poller only when the socket is empty.
 */
public final class Http1Server implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Http1Server.class.getName());

    /** Answers one request; must call one of the exchange's send methods, or the connection is closed. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    private final ServerSocket socket;
    private final Handler handler;
    private final Limits limits;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Limits that keep one client from holding the server's memory or threads.
     *
     * @param idleTimeout how long a keep-alive connection may sit without sending a request
     * @param maxHeaderBytes the most bytes of request line and headers
     * @param maxConnections connections beyond this are closed at once
     */
    public record Limits(Duration idleTimeout, int maxHeaderBytes, int maxConnections) {
        public static final Limits DEFAULT = new Limits(Duration.ofMinutes(5), 64 * 1024, 10_000);
    }

    private Http1Server(ServerSocket socket, Handler handler, Limits limits) {
        this.socket = socket;
        this.handler = handler;
        this.limits = limits;
        // A platform thread: accepting must not wait for a free carrier when every virtual thread is busy, or the
        // kernel's accept queue overflows under a burst of new connections and clients see resets.
        this.acceptor = Thread.ofPlatform().name("hearth-http-accept").daemon().unstarted(this::acceptLoop);
    }

    /** Binds the port now (so a taken port fails here), serving starts with {@link #start()}. */
    public static Http1Server bind(InetSocketAddress address, int backlog, Limits limits, Handler handler)
            throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(address, backlog);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new Http1Server(s, handler, limits);
    }

    public void start() {
        acceptor.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accept failed; going on", e);
                }
                continue;
            }
            if (connections.size() >= limits.maxConnections()) {
                closeQuietly(s);
                continue;
            }
            connections.add(s);
            Thread.ofVirtual().name("hearth-http").start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) limits.idleTimeout().toMillis());
            var in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            var out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
            RequestReader reader = new RequestReader(in, limits.maxHeaderBytes());
            while (!closed) {
                RequestReader.Head head;
                Exchange ex;
                try {
                    head = reader.next();
                    if (head == null) {
                        return;
                    }
                    ex = new Exchange(head, reader.body(head), out);
                } catch (RequestReader.BadRequest e) {
                    Exchange.reject(out, e.status(), e.getMessage());
                    return;
                }
                if (head.expectsContinue()) {
                    Exchange.sendContinue(out);
                }
                try {
                    handler.handle(ex);
                } catch (Exception e) {
                    LOG.log(Level.SEVERE, "request handler failed on " + head.method() + " " + head.target(), e);
                }
                if (!ex.answered() || !ex.keepAlive()) {
                    return;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // idle keep-alive connection, or the peer went away: nothing to answer
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection ended", e);
        } finally {
            connections.remove(s);
        }
    }

    /** Stops accepting and closes every connection; handlers still running see their writes fail. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
        acceptor.interrupt();
        connections.forEach(Http1Server::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing left to do with it
        }
    }
}
