package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RunsyncTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    @Test
    void runsyncStartsAWorkerFromZeroAndReturnsTheOutput() {
        TestServer.Response r = hearth.post("/v2/echo/runsync", "{\"input\":{\"x\":1}}");

        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(body.get("output")).isEqualTo(TestServer.JSON.createObjectNode().put("x", 1));
        assertThat(body.get("id").asText()).startsWith("job-");
        assertThat(body.has("delayTime")).isTrue();
        assertThat(body.has("executionTime")).isTrue();
        assertThat(body.get("workerId").asText()).startsWith("w-echo-");
        assertThat(body.get("version").asInt()).isEqualTo(1);
    }

    @Test
    void aWarmWorkerServesTheNextCallWithoutAColdStart() {
        // the fixture's 2 s idle timeout could run out between the calls on a busy machine
        hearth.scale("echo", "{\"idleTimeout\":\"120s\"}");
        hearth.post("/v2/echo/runsync", "{\"input\":\"first\"}");

        JsonNode warm = hearth.post("/v2/echo/runsync", "{\"input\":\"second\"}").json();

        assertThat(warm.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(warm.get("output").asText()).isEqualTo("second");
        assertThat(warm.get("coldStart").asBoolean()).isFalse();
        resetScaling();
    }

    /** DELETE .../scaling puts the manifest's scaling back, and with its 2 s idle timeout the worker goes. */
    private static void resetScaling() {
        TestServer.Response reset = hearth.delete("/v1/functions/echo/scaling");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().get("scaling").get("idleTimeout").asText()).isEqualTo("2s");
        assertThat(reset.json().get("scaling").has("liveUpdate")).isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("echo") == 0);
    }
}
