package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/functions/{fn}/stats}: percentiles of recently finished jobs, for the dashboard's charts. */
class FunctionStatsTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "fails");

    @Test
    void finishedJobsShowUpInThePercentilesAndTheLastBucket() {
        for (int i = 0; i < 3; i++) {
            assertThat(hearth.post("/v2/echo/runsync", "{\"input\":{\"i\":" + i + "}}").json().get("status")
                    .asText()).isEqualTo("COMPLETED");
        }

        JsonNode s = hearth.get("/v1/functions/echo/stats?window=10m&buckets=10").json();

        assertThat(s.get("window").asText()).isEqualTo("10m");
        assertThat(s.get("jobs").get("completed").asInt()).isEqualTo(3);
        assertThat(s.get("coldStarts").asInt()).isGreaterThanOrEqualTo(1);
        JsonNode exec = s.get("executionTime");
        assertThat(exec.get("count").asInt()).isEqualTo(3);
        assertThat(exec.get("p50").asLong()).isLessThanOrEqualTo(exec.get("p95").asLong());
        assertThat(exec.get("p99").asLong()).isEqualTo(exec.get("max").asLong());
        assertThat(s.get("delayTime").get("count").asInt()).isEqualTo(3);
        assertThat(s.get("buckets")).hasSize(10);
        assertThat(s.get("buckets").get(9).get("jobs").get("completed").asInt()).isEqualTo(3);
        assertThat(s.get("buckets").get(0).get("executionTime").get("p50").isNull()).isTrue();
    }

    @Test
    void failuresAreCountedApart() {
        hearth.post("/v2/fails/runsync", "{\"input\":{}}");

        JsonNode jobs = hearth.get("/v1/functions/fails/stats").json().get("jobs");

        assertThat(jobs.get("failed").asInt()).isEqualTo(1);
        assertThat(jobs.get("completed").asInt()).isZero();
    }

    @Test
    void aBadWindowOrAnUnknownFunctionIsAClearError() {
        TestServer.Response bad = hearth.get("/v1/functions/echo/stats?window=soon");
        TestServer.Response tooLong = hearth.get("/v1/functions/echo/stats?window=30d");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("detail").asText()).contains("window").contains("5m");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(hearth.get("/v1/functions/nope/stats").status()).isEqualTo(404);
    }
}
