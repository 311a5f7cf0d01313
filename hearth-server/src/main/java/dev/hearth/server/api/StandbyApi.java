package dev.hearth.server.api;

import dev.hearth.cluster.ClusterView;
import dev.hearth.errors.HearthException;
import dev.hearth.server.http.EdgeLimits;
import dev.hearth.server.http.Exchange;
import dev.hearth.server.http.HttpEdge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a standby control-plane node serves on its port: {@code GET /v1/cluster} and {@code /healthz} itself, and every
 * other request (client, management and worker calls alike) passed on to the leader as it came, by the URL the leader
 * advertises, with the leader's answer passed back as it comes (long-polls and streams included). So a worker, an
 * unmodified RunPod worker too, and a client work through any node's URL or a load balancer in front of them all.
 * While no leader is known (a takeover under way), the answer is a 503 with {@code Retry-After}.
 */
public final class StandbyApi implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StandbyApi.class.getName());

    /** Headers about one hop, which the JDK's client sets itself or refuses to send. */
    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
            "expect", "upgrade", "keep-alive", "te", "trailer", "proxy-connection", "http2-settings", "content-type");

    private final HttpEdge edge;
    private final ApiKeys keys;
    private final Supplier<ClusterView> cluster;
    private final Supplier<Optional<URI>> leader;
    private final java.util.function.BooleanSupplier warm;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER).build();

    /**
     * Binds the port now.
     *
     * @param leader the leader's advertised URL while one leads
     * @param warm   whether this node is ready to take over at once (see {@code HearthCluster})
     */
    public StandbyApi(String host, int port, ApiKeys keys, Supplier<ClusterView> cluster,
                      Supplier<Optional<URI>> leader, java.util.function.BooleanSupplier warm, EdgeLimits limits,
                      HttpEdge.Tls tls) {
        this.keys = keys;
        this.warm = warm;
        this.cluster = cluster;
        this.leader = leader;
        try {
            edge = HttpEdge.bind(new InetSocketAddress(host, port), limits, tls, this::handle);
        } catch (BindException e) {
            throw new HearthException.Unavailable("cannot listen on " + host + ":" + port + ": " + e.getMessage()
                    + " (is another Hearth running? pick another --port)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
        edge.start();
    }

    /** The port bound, which the node keeps when it becomes the leader. */
    public int port() {
        return edge.address().getPort();
    }

    private void handle(Exchange exchange) throws Exception {
        String path = exchange.path();
        if (exchange.method().equals("GET") && path.equals("/healthz")) {
            json(exchange, 200, Map.of("status", "ok", "role", "standby", "warm", warm.getAsBoolean()));
        } else if (exchange.method().equals("GET") && path.equals("/v1/cluster")) {
            Optional<ApiKeys.Key> key = keys.find(exchange.header("Authorization"));
            if (key.isEmpty()) {
                problem(exchange, 401, "Unauthorized", exchange.header("Authorization") == null
                        ? "missing API key: send 'Authorization: Bearer <key>'" : "wrong API key");
                return;
            }
            exchange.authenticated(Exchange.Peer.CLIENT);
            json(exchange, 200, ClusterJson.of(cluster.get()));
        } else {
            proxy(exchange);
        }
    }

    private void proxy(Exchange exchange) throws IOException, InterruptedException {
        Optional<URI> to = leader.get();
        if (to.isEmpty()) {
            unavailable(exchange, "no control-plane node leads right now (a takeover is under way); retry shortly");
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(trimSlash(to.get().toString())
                + exchange.target()));
        for (String name : exchange.headerNames()) {
            if (!HOP.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : exchange.headers(name)) {
                    request.header(name, value);
                }
            }
        }
        String type = exchange.header("Content-Type");
        if (type != null) {
            request.header("Content-Type", type);
        }
        request.method(exchange.method(), body(exchange));
        HttpResponse<InputStream> answer;
        try {
            answer = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            unavailable(exchange, "the leader at " + to.get() + " does not answer; retry shortly");
            return;
        } catch (IOException e) {
            LOG.log(Level.FINE, "passing a request on to the leader", e);
            unavailable(exchange, "the leader at " + to.get() + " went away while answering (" + e.getMessage()
                    + "); retry");
            return;
        }
        if (answer.statusCode() != 401 && answer.statusCode() != 403) {
            exchange.authenticated(exchange.path().contains("/job-") || exchange.path().contains("/ping/")
                    || exchange.path().contains("/preinit-wait/") ? Exchange.Peer.WORKER : Exchange.Peer.CLIENT);
        }
        answer.headers().map().forEach((name, values) -> {
            if (!HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                values.forEach(v -> exchange.responseHeader(name, v));
            }
        });
        String answerType = answer.headers().firstValue("Content-Type").orElse(null);
        OptionalLength length = new OptionalLength(answer.headers().firstValueAsLong("Content-Length").orElse(-1));
        try (InputStream in = answer.body()) {
            if (length.known()) {
                if (length.value() == 0) {
                    in.transferTo(OutputStream.nullOutputStream());
                    if (answerType == null) {
                        exchange.sendEmpty(answer.statusCode());
                    } else {
                        exchange.send(answer.statusCode(), answerType, new byte[0]);
                    }
                } else {
                    exchange.send(answer.statusCode(), answerType, length.value(), in);
                }
                return;
            }
            // a stream (NDJSON, SSE): each piece goes on as it comes
            try (OutputStream out = exchange.sendStreaming(answer.statusCode(), answerType)) {
                byte[] buf = new byte[16 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        }
    }

    private record OptionalLength(long value) {
        boolean known() {
            return value >= 0;
        }
    }

    private static HttpRequest.BodyPublisher body(Exchange exchange) {
        String length = exchange.header("Content-Length");
        if (length != null) {
            long n = Long.parseLong(length.strip());
            return n == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(exchange::body),
                    n);
        }
        return exchange.header("Transfer-Encoding") != null
                ? HttpRequest.BodyPublishers.ofInputStream(exchange::body) : HttpRequest.BodyPublishers.noBody();
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void unavailable(Exchange exchange, String detail) throws IOException {
        exchange.responseHeader("Retry-After", "1");
        problem(exchange, 503, "Service Unavailable", detail);
    }

    private static void problem(Exchange exchange, int status, String title, String detail) throws IOException {
        exchange.send(status, "application/problem+json", Json.MAPPER.writeValueAsBytes(
                HttpApi.problemBody(status, title, detail, exchange.path())));
    }

    private static void json(Exchange exchange, int status, Object body) throws IOException {
        exchange.send(status, "application/json", Json.MAPPER.writeValueAsBytes(body));
    }

    @Override
    public void close() {
        edge.close();
    }
}
