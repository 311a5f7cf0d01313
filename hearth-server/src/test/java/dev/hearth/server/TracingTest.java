package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenTelemetry traces of jobs, sent by the OpenTelemetry SDK's OTLP/HTTP exporter (protobuf) to a real HTTP receiver
 * on 127.0.0.1 playing the collector.
 */
class TracingTest {

    /** Accepts OTLP/HTTP export requests like a collector and keeps every span, and notes every request it gets. */
    static final class Collector {
        final HttpServer server;
        final List<Span> spans = new CopyOnWriteArrayList<>();
        final List<Resource> resources = new CopyOnWriteArrayList<>();
        final List<String> scopes = new CopyOnWriteArrayList<>();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();

        Collector() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", ex -> {
                requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
                byte[] body = ex.getRequestBody().readAllBytes();
                if (!ex.getRequestURI().getPath().equals("/v1/traces")) {
                    answer(ex, 404, new byte[0]);
                    return;
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    resources.add(rs.getResource());
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        scopes.add(ss.getScope().getName());
                        spans.addAll(ss.getSpansList());
                    }
                }
                answer(ex, 200, ExportTraceServiceResponse.getDefaultInstance().toByteArray());
            });
            server.start();
        }

        private static void answer(HttpExchange ex, int status, byte[] body) throws IOException {
            ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }
    }

    static final Collector collector = new Collector();

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "fails")
            .configured(b -> b.otlpEndpoint(collector.url()));

    @AfterAll
    static void stopCollector() {
        collector.server.stop(0);
    }

    @Test
    void aJobIsOneTraceFromSubmissionThroughQueueAndRunToItsResult() {
        String id = hearth.run("echo", "{}");
        String worker = hearth.awaitFinal("echo", id).get("workerId").asText();

        await().atMost(Duration.ofSeconds(10)).until(() -> root(id) != null);
        Span root = root(id);
        List<Span> trace = trace(root.getTraceId().toByteArray());

        assertThat(collector.contentTypes).allMatch(t -> t.startsWith("application/x-protobuf"));
        assertThat(hex(root.getTraceId().toByteArray())).matches("[0-9a-f]{32}").doesNotMatch("0+");
        assertThat(hex(root.getSpanId().toByteArray())).matches("[0-9a-f]{16}").doesNotMatch("0+");
        assertThat(root.getName()).isEqualTo("job echo");
        assertThat(root.getParentSpanId().isEmpty()).isTrue();
        assertThat(root.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attributes(root)).containsEntry("hearth.function", "echo").containsEntry("hearth.job.status",
                "COMPLETED").containsEntry("hearth.function.version", "1").containsEntry("hearth.job.id", id);
        assertThat(root.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
        List<String> names = trace.stream().map(Span::getName).toList();
        assertThat(names).contains("queued", "run", "job echo");
        Span run = trace.stream().filter(s -> s.getName().equals("run")).findFirst().orElseThrow();
        assertThat(run.getParentSpanId()).isEqualTo(root.getSpanId());
        assertThat(run.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_INTERNAL);
        assertThat(attributes(run)).containsEntry("hearth.worker.id", worker).containsEntry("hearth.job.attempt", "1")
                .containsKey("hearth.node");
        for (Span s : trace) {
            assertThat(s.getEndTimeUnixNano()).as(s.getName()).isGreaterThanOrEqualTo(s.getStartTimeUnixNano());
            if (!s.getName().equals("worker start")) {
                assertThat(s.getStartTimeUnixNano()).as(s.getName())
                        .isGreaterThanOrEqualTo(root.getStartTimeUnixNano());
            }
        }
    }

    @Test
    void theSpansComeFromServiceHearthInOneScope() {
        String id = hearth.run("echo", "{}");
        hearth.awaitFinal("echo", id);

        await().atMost(Duration.ofSeconds(10)).until(() -> root(id) != null);

        assertThat(collector.resources).isNotEmpty().allSatisfy(r -> assertThat(r.getAttributesList())
                .anySatisfy(a -> {
                    assertThat(a.getKey()).isEqualTo("service.name");
                    assertThat(a.getValue().getStringValue()).isEqualTo("hearth");
                }));
        assertThat(collector.scopes).containsOnly("dev.hearth.server");
    }

    @Test
    void aFailedJobsTraceCarriesTheError() {
        String id = hearth.run("fails", "{}");
        hearth.awaitFinal("fails", id);

        await().atMost(Duration.ofSeconds(10)).until(() -> root(id) != null);

        Span root = root(id);
        assertThat(root.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(root.getStatus().getMessage()).contains("boom");
    }

    @Test
    void theExporterSendsTracesAndNothingElseToTheCollector() {
        String id = hearth.run("echo", "{}");
        hearth.awaitFinal("echo", id);

        await().atMost(Duration.ofSeconds(10)).until(() -> root(id) != null);

        // no metrics or logs exporter of the SDK's autoconfiguration, no other signal
        assertThat(collector.requests).isNotEmpty().containsOnly("POST /v1/traces");
    }

    private static Span root(String jobId) {
        for (Span s : collector.spans) {
            if (jobId.equals(attributes(s).get("hearth.job.id"))) {
                return s;
            }
        }
        return null;
    }

    private static List<Span> trace(byte[] traceId) {
        return collector.spans.stream().filter(s -> java.util.Arrays.equals(s.getTraceId().toByteArray(), traceId))
                .toList();
    }

    private static Map<String, String> attributes(Span span) {
        Map<String, String> out = new HashMap<>();
        for (KeyValue a : span.getAttributesList()) {
            AnyValue v = a.getValue();
            String text = switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                default -> null;
            };
            out.put(a.getKey(), text);
        }
        return out;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
