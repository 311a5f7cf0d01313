package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** OpenTelemetry traces of jobs, sent with OTLP/HTTP (JSON) to a real HTTP receiver playing the collector. */
class TracingTest {

    /** Accepts OTLP/HTTP JSON export requests like a collector and keeps every span. */
    static final class Collector {
        final HttpServer server;
        final List<JsonNode> spans = new CopyOnWriteArrayList<>();
        final List<String> contentTypes = new CopyOnWriteArrayList<>();

        Collector() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/v1/traces", ex -> {
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
                JsonNode body = TestServer.JSON.readTree(ex.getRequestBody());
                for (JsonNode rs : body.get("resourceSpans")) {
                    assertThat(rs.at("/resource/attributes/0/key").asText()).isEqualTo("service.name");
                    for (JsonNode ss : rs.get("scopeSpans")) {
                        ss.get("spans").forEach(spans::add);
                    }
                }
                byte[] ok = "{}".getBytes();
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, ok.length);
                ex.getResponseBody().write(ok);
                ex.close();
            });
            server.start();
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
        JsonNode root = root(id);
        List<JsonNode> trace = trace(root.get("traceId").asText());

        assertThat(collector.contentTypes).allMatch(t -> t.startsWith("application/json"));
        assertThat(root.get("traceId").asText()).matches("[0-9a-f]{32}");
        assertThat(root.get("spanId").asText()).matches("[0-9a-f]{16}");
        assertThat(root.get("name").asText()).isEqualTo("job echo");
        assertThat(root.has("parentSpanId")).isFalse();
        assertThat(attributes(root)).containsEntry("hearth.function", "echo").containsEntry("hearth.job.status",
                "COMPLETED").containsEntry("hearth.function.version", "1");
        assertThat(root.at("/status/code").asInt()).isEqualTo(1);
        List<String> names = trace.stream().map(s -> s.get("name").asText()).toList();
        assertThat(names).contains("queued", "run", "job echo");
        JsonNode run = trace.stream().filter(s -> s.get("name").asText().equals("run")).findFirst().orElseThrow();
        assertThat(run.get("parentSpanId").asText()).isEqualTo(root.get("spanId").asText());
        assertThat(attributes(run)).containsEntry("hearth.worker.id", worker).containsEntry("hearth.job.attempt", "1")
                .containsKey("hearth.node");
        for (JsonNode s : trace) {
            long start = Long.parseLong(s.get("startTimeUnixNano").asText());
            long end = Long.parseLong(s.get("endTimeUnixNano").asText());
            assertThat(end).as(s.get("name").asText()).isGreaterThanOrEqualTo(start);
            if (!s.get("name").asText().equals("worker start")) {
                assertThat(start).isGreaterThanOrEqualTo(Long.parseLong(root.get("startTimeUnixNano").asText()));
            }
        }
    }

    @Test
    void aFailedJobsTraceCarriesTheError() {
        String id = hearth.run("fails", "{}");
        hearth.awaitFinal("fails", id);

        await().atMost(Duration.ofSeconds(10)).until(() -> root(id) != null);

        JsonNode root = root(id);
        assertThat(root.at("/status/code").asInt()).isEqualTo(2);
        assertThat(root.at("/status/message").asText()).contains("boom");
    }

    private static JsonNode root(String jobId) {
        for (JsonNode s : collector.spans) {
            if (jobId.equals(attributes(s).get("hearth.job.id"))) {
                return s;
            }
        }
        return null;
    }

    private static List<JsonNode> trace(String traceId) {
        List<JsonNode> out = new ArrayList<>();
        collector.spans.stream().filter(s -> s.get("traceId").asText().equals(traceId)).forEach(out::add);
        return out;
    }

    private static Map<String, String> attributes(JsonNode span) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode a : span.get("attributes")) {
            JsonNode v = a.get("value");
            String text = v.has("stringValue") ? v.get("stringValue").asText() : v.has("intValue")
                    ? v.get("intValue").asText() : v.has("boolValue") ? v.get("boolValue").asText() : null;
            out.put(a.get("key").asText(), text);
        }
        return out;
    }
}
