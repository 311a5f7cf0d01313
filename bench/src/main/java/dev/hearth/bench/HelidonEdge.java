package dev.hearth.bench;

import dev.hearth.server.http.Edge;
import dev.hearth.server.http.EdgeLimits;
import dev.hearth.server.http.Exchange;
import dev.hearth.server.http.HttpEdge;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hearth's routes served by Helidon SE 4's WebServer instead of Jetty, for the HTTP server comparison only
 * ({@code -Dhearth.edge=helidon}; never in the shipped server): the same {@link Exchange} over Helidon's request and
 * response, each request on one of Helidon's virtual threads, for clients and workers alike.
 *
 * <p>It measures what the library costs per request, not the edge's hardening: the connection guard (head and body
 * deadlines, connection caps) and TLS are Jetty-only, so this adapter does less work than {@link HttpEdge}, not more.
 */
final class HelidonEdge implements Edge {

    static final Edge.Factory FACTORY = HelidonEdge::bind;

    static {
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
    }

    private final WebServer server;
    private final InetSocketAddress requested;

    private HelidonEdge(InetSocketAddress address, Exchange.Handler handler) {
        this.requested = address;
        this.server = WebServer.builder()
                .host(address.getHostString())
                .port(address.getPort())
                .routing(r -> r.any((req, res) -> serve(req, res, handler)))
                .build();
    }

    static Edge bind(InetSocketAddress address, EdgeLimits limits, HttpEdge.Tls tls, Exchange.Handler handler) {
        if (tls != null) {
            throw new IllegalArgumentException("the Helidon edge of the benchmarks speaks plain HTTP only");
        }
        return new HelidonEdge(address, handler);
    }

    private static void serve(ServerRequest req, ServerResponse res, Exchange.Handler handler) throws Exception {
        HelidonExchange exchange = new HelidonExchange(req, res);
        handler.handle(exchange);
        if (!exchange.answered()) {
            res.status(500).send();
        }
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(requested.getAddress(), server.port());
    }

    @Override
    public boolean tls() {
        return false;
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One request and its answer over Helidon's request and response. */
    private static final class HelidonExchange implements Exchange {

        private final ServerRequest req;
        private final ServerResponse res;
        private boolean answered;

        HelidonExchange(ServerRequest req, ServerResponse res) {
            this.req = req;
            this.res = res;
        }

        @Override
        public String remoteAddress() {
            return req.remotePeer().host();
        }

        @Override
        public String method() {
            return req.prologue().method().text();
        }

        @Override
        public String path() {
            return req.path().path();
        }

        @Override
        public String rawQuery() {
            return req.prologue().hasQuery() ? req.query().rawValue() : null;
        }

        @Override
        public String target() {
            String q = rawQuery();
            return req.path().rawPath() + (q == null ? "" : "?" + q);
        }

        @Override
        public String header(String name) {
            return req.headers().first(HeaderNames.create(name)).orElse(null);
        }

        @Override
        public InputStream body() {
            return req.content().inputStream();
        }

        @Override
        public void responseHeader(String name, String value) {
            res.header(name, value);
        }

        @Override
        public boolean answered() {
            return answered;
        }

        private void head(int status, String contentType) {
            answered = true;
            res.status(status);
            if (contentType != null) {
                res.header("Content-Type", contentType);
            }
        }

        @Override
        public void send(int status, String contentType, byte[] bytes) {
            if (answered) {
                return;
            }
            head(status, contentType);
            res.send(bytes);
        }

        @Override
        public void send(int status, String contentType, long length, InputStream body) {
            if (answered) {
                return;
            }
            head(status, contentType);
            res.contentLength(length);
            try (OutputStream out = res.outputStream()) {
                body.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public OutputStream sendStreaming(int status, String contentType) {
            head(status, contentType);
            OutputStream out = res.outputStream();
            // a client that went away makes writes do nothing, as on the Jetty edge
            return new OutputStream() {
                private boolean failed;

                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (failed) {
                        return;
                    }
                    try {
                        out.write(b, off, len);
                    } catch (IOException | RuntimeException e) {
                        failed = true;
                    }
                }

                @Override
                public void flush() {
                    if (failed) {
                        return;
                    }
                    try {
                        out.flush();
                    } catch (IOException | RuntimeException e) {
                        failed = true;
                    }
                }

                @Override
                public void close() {
                    try {
                        out.close();
                    } catch (IOException | RuntimeException e) {
                        failed = true;
                    }
                }
            };
        }

        @Override
        public void sendEmpty(int status) {
            if (answered) {
                return;
            }
            head(status, null);
            res.send();
        }
    }
}
