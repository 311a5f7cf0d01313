package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
        hearth.post("/v2/echo/runsync", "{\"input\":\"first\"}");

        JsonNode warm = hearth.post("/v2/echo/runsync", "{\"input\":\"second\"}").json();

        assertThat(warm.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(warm.get("output").asText()).isEqualTo("second");
        assertThat(warm.get("coldStart").asBoolean()).isFalse();
    }
}
