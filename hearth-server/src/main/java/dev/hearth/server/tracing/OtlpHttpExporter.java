package dev.hearth.server.tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Sends finished spans to an OpenTelemetry collector with OTLP/HTTP in its JSON encoding ({@code POST /v1/traces},
 * {@code Content-Type: application/json}), in batches from a background thread. A minimal exporter of our own rather
 * than the OpenTelemetry SDK: Hearth makes a handful of spans per job, and the SDK with its OTLP exporter would add
 * megabytes to {@code hearth.jar} for that. Spans that cannot be sent (collector down, queue full) are dropped and
 * counted; jobs never wait for tracing.
 */
public final class OtlpHttpExporter implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OtlpHttpExporter.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_QUEUED = 10_000;
    private static final int MAX_BATCH = 512;
    private static final Duration FLUSH_EVERY = Duration.ofMillis(500);
    private static final Duration LOG_FAILURES_EVERY = Duration.ofMinutes(1);

    private final URI tracesUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final BlockingQueue<Span> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Thread sender;
    private volatile boolean closing;
    private Instant lastFailureLog = Instant.MIN;

    /**
     * One finished span.
     *
     * @param parentSpanId null for a trace's root span
     * @param error        null when the span succeeded, else the error message
     */
    public record Span(String traceId, String spanId, String parentSpanId, String name, Instant start, Instant end,
                       List<Attribute> attributes, String error) {
    }

    /** A span attribute: a string, long or boolean value. */
    public record Attribute(String key, Object value) {
    }

    /**
     * @param endpoint the collector's base URL ({@code OTEL_EXPORTER_OTLP_ENDPOINT} semantics: {@code /v1/traces} is
     *                 appended), or its full traces URL ending in {@code /v1/traces}
     */
    public OtlpHttpExporter(String endpoint) {
        String base = endpoint.replaceAll("/+$", "");
        URI url = URI.create(base.endsWith("/v1/traces") ? base : base + "/v1/traces");
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
            throw new IllegalArgumentException("OTLP endpoint must be an http(s) URL such as http://127.0.0.1:4318, "
                    + "got '" + endpoint + "'");
        }
        this.tracesUrl = url;
        this.sender = Thread.ofPlatform().name("hearth-otlp-exporter").daemon().start(this::sendLoop);
    }


    public void export(Span span) {
        if (!closing) {
            queue.offer(span); // a full queue (a collector far behind) drops the span rather than wait
        }
    }

    /** Sends what is queued (for at most a few seconds), then stops. */
    @Override
    public void close() {
        closing = true;
        sender.interrupt();
        try {
            sender.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendLoop() {
        List<Span> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                Span first = queue.poll(FLUSH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                }
            } catch (InterruptedException e) {
                // closing: send what is left below, then stop
            }
            queue.drainTo(batch, MAX_BATCH - batch.size());
            if (!batch.isEmpty()) {
                send(batch);
                batch.clear();
            }
            if (closing && queue.isEmpty()) {
                return;
            }
        }
    }

    private void send(List<Span> spans) {
        try {
            byte[] body = JSON.writeValueAsBytes(encode(spans));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(tracesUrl).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                return;
            }
            failed(spans.size(), "answered " + r.statusCode() + ": " + r.body());
        } catch (IOException e) {
            failed(spans.size(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(spans.size(), "interrupted while closing");
        }
    }

    private void failed(int spans, String why) {
        Instant now = Instant.now();
        if (lastFailureLog.plus(LOG_FAILURES_EVERY).isBefore(now)) {
            lastFailureLog = now;
            LOG.log(Level.WARNING, "could not export " + spans + " trace spans to " + tracesUrl + ": " + why
                    + " (dropped; said once a minute)");
        }
    }

    /** The OTLP JSON encoding: ids in hex, times as decimal strings of Unix nanoseconds. */
    static ObjectNode encode(List<Span> spans) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode rs = root.putArray("resourceSpans").addObject();
        ArrayNode resource = rs.putObject("resource").putArray("attributes");
        attribute(resource, new Attribute("service.name", "hearth"));
        ObjectNode scope = rs.putArray("scopeSpans").addObject();
        scope.putObject("scope").put("name", "dev.hearth.server");
        ArrayNode out = scope.putArray("spans");
        for (Span s : spans) {
            ObjectNode o = out.addObject();
            o.put("traceId", s.traceId());
            o.put("spanId", s.spanId());
            if (s.parentSpanId() != null) {
                o.put("parentSpanId", s.parentSpanId());
            }
            o.put("name", s.name());
            o.put("kind", s.parentSpanId() == null ? 2 : 1); // SERVER for the job as a whole, INTERNAL for steps
            o.put("startTimeUnixNano", Long.toString(nanos(s.start())));
            o.put("endTimeUnixNano", Long.toString(nanos(s.end())));
            ArrayNode attrs = o.putArray("attributes");
            s.attributes().forEach(a -> attribute(attrs, a));
            ObjectNode status = o.putObject("status");
            if (s.error() != null) {
                status.put("code", 2);
                status.put("message", s.error());
            } else {
                status.put("code", 1);
            }
        }
        return root;
    }

    private static void attribute(ArrayNode attrs, Attribute a) {
        if (a.value() == null) {
            return;
        }
        ObjectNode o = attrs.addObject();
        o.put("key", a.key());
        ObjectNode v = o.putObject("value");
        switch (a.value()) {
            case Boolean b -> v.put("boolValue", b);
            case Integer i -> v.put("intValue", Integer.toString(i));
            case Long l -> v.put("intValue", Long.toString(l));
            default -> v.put("stringValue", a.value().toString());
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
