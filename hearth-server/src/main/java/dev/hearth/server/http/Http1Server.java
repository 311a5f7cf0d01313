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
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Idle connections are closed by one sweeper rather than by a read timeout on each socket: a virtual thread that
 * parks with a timeout arms and cancels a timer in the JDK's scheduler every time, which on a busy keep-alive
 * connection (one wait between every two requests) cost about 5% of the control plane's CPU. Only request bodies,
 * which are rarely waited for, are read with a timeout.
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
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final Thread sweeper;
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
        this.sweeper = Thread.ofVirtual().name("hearth-http-idle").unstarted(this::sweepLoop);
    }

    /** A connection and, while it waits for the next request, since when (else {@link #BUSY}). */
    private static final class Connection {
        static final long BUSY = Long.MIN_VALUE;
        final Socket socket;
        volatile long waitingSince = BUSY;

        Connection(Socket socket) {
            this.socket = socket;
        }
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
        sweeper.start();
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
            Connection c = new Connection(s);
            connections.add(c);
            Thread.ofVirtual().name("hearth-http").start(() -> serve(c));
        }
    }

    /** Closes connections that have waited longer than the idle timeout for a request (or for the rest of its head). */
    private void sweepLoop() {
        long idle = limits.idleTimeout().toNanos();
        long every = Math.clamp(idle / 4, TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(10));
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : connections) {
                long since = c.waitingSince;
                if (since != Connection.BUSY && now - since > idle) {
                    closeQuietly(c.socket);
                }
            }
        }
    }

    private void serve(Connection c) {
        Socket s = c.socket;
        int bodyTimeout = (int) limits.idleTimeout().toMillis();
        try (s) {
            s.setTcpNoDelay(true);
            var in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            var out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
            RequestReader reader = new RequestReader(in, limits.maxHeaderBytes());
            while (!closed) {
                RequestReader.Head head;
                LegacyExchange ex;
                try {
                    s.setSoTimeout(0);
                    c.waitingSince = System.nanoTime();
                    head = reader.next();
                    c.waitingSince = Connection.BUSY;
                    if (head == null) {
                        return;
                    }
                    // a body that stops arriving halfway times out here; the sweeper only watches for heads
                    s.setSoTimeout(bodyTimeout);
                    ex = new LegacyExchange(head, reader.body(head), out, s.getInetAddress());
                } catch (RequestReader.BadRequest e) {
                    LegacyExchange.reject(out, e.status(), e.getMessage());
                    return;
                }
                if (head.expectsContinue()) {
                    LegacyExchange.sendContinue(out);
                }
                try {
                    handler.handle(ex);
                } catch (Exception e) {
                    LOG.log(Level.SEVERE, "request handler failed on " + head.method() + " " + head.target(), e);
                }
                if (!ex.answered() || !ex.keepAlive()) {
                    if (ex.answered() && !ex.bodyConsumed()) {
                        lingerAndClose(s, in);
                    }
                    return;
                }
            }
        } catch (SocketTimeoutException | SocketException e) {
            // idle keep-alive connection, or the peer went away: nothing to answer
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection ended", e);
        } finally {
            connections.remove(c);
        }
    }

    /**
     * Answered without reading the whole body (a 413, say): closing now, with bytes unread, makes the kernel send a
     * reset that can reach the client before the answer does. So stop sending, read and drop what the client still
     * sends for a while, then close, as web servers' "lingering close" does.
     */
    private static void lingerAndClose(Socket s, java.io.InputStream in) {
        try {
            s.shutdownOutput();
            s.setSoTimeout(2_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            byte[] buf = new byte[64 * 1024];
            while (System.nanoTime() < deadline && in.read(buf) >= 0) {
                // dropped
            }
        } catch (IOException e) {
            // the client went away or stopped sending: close
        }
    }

    /** Stops accepting and closes every connection; handlers still running see their writes fail. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
        acceptor.interrupt();
        sweeper.interrupt();
        connections.forEach(c -> closeQuietly(c.socket));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing left to do with it
        }
    }
}
