package dev.hearth.server.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Hearth's HTTP/1.1 edge: Jetty 12's core server (no servlets), each request handled on a virtual thread, over
 * plain TCP or TLS.
 *
 * <p>Jetty parses strictly (RFC 9110 with none of its allowed leniencies: duplicate Content-Length, Transfer-Encoding with
 * Content-Length, obs-fold, bare CR or LF and control characters in the head all get 400 and a closed connection).
 * The {@link ConnectionGuard} adds what Jetty does not do by itself: deadlines for a whole head, a whole body and each
 * write, and caps on unauthenticated connections and on connections per client address.
 */
public final class HttpEdge implements Edge {

    private static final Logger LOG = Logger.getLogger(HttpEdge.class.getName());
    /** Jetty's own start and stop lines say nothing an operator needs; its warnings still come through. */
    private static final Logger JETTY = Logger.getLogger("org.eclipse.jetty");

    static {
        JETTY.setLevel(Level.WARNING);
    }

    /** A PEM certificate chain and its PEM (PKCS #8) private key, to serve HTTPS. */
    public record Tls(Path certificate, Path privateKey) {
        /** Whether the certificate signed itself (then it is its own CA, which clients must be told to trust). */
        public boolean selfSigned() {
            return PemKeys.selfSigned(certificate);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final ConnectionGuard guard;
    private final boolean tls;
    private volatile InetSocketAddress bound;

    private HttpEdge(InetSocketAddress address, EdgeLimits limits, Tls tls, Exchange.Handler handler) {
        // Platform threads only accept, select and hand requests over; requests run on virtual threads. Enough of
        // them start at once that a new connection's set-up never waits for one to be made.
        QueuedThreadPool threads = new QueuedThreadPool(32, 8);
        threads.setName("hearth-http");
        threads.setDaemon(true);
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("hearth-http-request"));
        this.server = new Server(threads);
        this.guard = new ConnectionGuard(limits);
        this.tls = tls != null;

        HttpConfiguration http = new HttpConfiguration();
        // RFC 9110 with no leniency at all: Jetty's RFC9110 mode still takes a bare LF as a line end
        http.setHttpCompliance(HttpCompliance.STRICT);
        // Paths are decoded by the exchange, which names a bad % escape in its 400; Jetty's own checks would answer
        // a bare "Bad Request" first
        http.setUriCompliance(UriCompliance.UNSAFE);
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setSendXPoweredBy(false);
        http.setIdleTimeout(-1);
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        this.connector = tls == null ? new ServerConnector(server, 1, 1, h1)
                : new ServerConnector(server, 1, 1, new SslConnectionFactory(PemKeys.sslContextFactory(tls),
                        h1.getProtocol()), h1);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        connector.setAcceptQueueSize(1024);
        connector.setReuseAddress(true);
        // Jetty's idle timeout restarts with every byte; the guard's deadlines are the real ones. This one only
        // backs them up, longer than any long-poll.
        connector.setIdleTimeout(limits.idleTimeout().toMillis() + TimeUnit.MINUTES.toMillis(10));
        connector.addBean(guard);
        server.addConnector(connector);
        server.setErrorHandler(new ProblemErrors());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback, limits, handler);
                return true;
            }
        });
    }

    /** Binds the port now (so a taken port fails here); serving starts with {@link #start()}. */
    public static HttpEdge bind(InetSocketAddress address, EdgeLimits limits, Tls tls, Exchange.Handler handler)
            throws IOException {
        HttpEdge edge = new HttpEdge(address, limits, tls, handler);
        try {
            edge.connector.open();
            edge.bound = new InetSocketAddress(address.getAddress(), edge.connector.getLocalPort());
        } catch (IOException e) {
            edge.close();
            throw e;
        } catch (Exception e) {
            edge.close();
            throw new IOException(e.getMessage(), e);
        }
        return edge;
    }

    @Override
    public void start() {
        try {
            server.start();
            guard.start();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP edge did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress address() {
        return bound;
    }

    @Override
    public boolean tls() {
        return tls;
    }

    private void serve(Request request, Response response, Callback callback, EdgeLimits limits,
                       Exchange.Handler handler) {
        ConnectionGuard.Tracked connection = guard.tracked(request.getConnectionMetaData().getConnection());
        if (connection != null) {
            connection.requestStarted();
        }
        JettyExchange exchange;
        try {
            exchange = new JettyExchange(request, response, callback, guard, connection, limits);
        } catch (JettyExchange.BadTarget e) {
            if (connection != null) {
                connection.requestEnded();
            }
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            writeProblem(response, 400, e.getMessage(), callback);
            return;
        }
        try {
            handler.handle(exchange);
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "request handler failed on " + request.getMethod() + " " + exchange.target(), e);
        }
        exchange.handlerReturned();
    }

    /** Answers with RFC 9457 problem JSON, as the API does. */
    static void writeProblem(Response response, int status, String detail, Callback callback) {
        response.setStatus(status);
        String json = "{\"type\":\"about:blank\",\"title\":\"" + escape(HttpStatus.getMessage(status))
                + "\",\"status\":" + status + ",\"detail\":\"" + escape(detail == null ? "" : detail) + "\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
        response.write(true, ByteBuffer.wrap(b), callback);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Jetty's own errors (a malformed request, say) as problem JSON instead of an HTML page. */
    private static final class ProblemErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object message = request.getAttribute(ERROR_MESSAGE);
            if (status == 400 && badEscape(request.getAttribute(ERROR_EXCEPTION))) {
                // Jetty refuses a path it cannot decode before any handler runs, saying only "Bad Request"
                message = "malformed request target: a bad % escape (a % must be followed by two hex digits, "
                        + "e.g. %20)";
            }
            writeProblem(response, status, message == null ? HttpStatus.getMessage(status) : message.toString(),
                    callback);
            return true;
        }

        private static boolean badEscape(Object failure) {
            for (Throwable x = failure instanceof Throwable t ? t : null; x != null; x = x.getCause()) {
                if (x instanceof NumberFormatException && String.valueOf(x.getMessage()).contains("hex")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
            String json = "{\"type\":\"about:blank\",\"title\":\"" + escape(HttpStatus.getMessage(status))
                    + "\",\"status\":" + status + ",\"detail\":\"" + escape(reason == null ? "" : reason) + "\"}";
            fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
            return ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Stops accepting and closes every connection; handlers still running see their writes fail. */
    @Override
    public void close() {
        guard.stop();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.log(Level.FINE, "stopping the HTTP edge", e);
        }
    }
}
