package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker that knows nothing of Hearth: a standalone script that speaks RunPod's worker protocol the way
 * runpod-python does, configured only by RUNPOD_* variables.
 */
class RunPodWorkerTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("runpod-style", "forgetful");

    @Test
    void aRunPodStyleWorkerServesJobsUnchanged() {
        JsonNode r = hearth.post("/v2/runpod-style/runsync", "{\"input\":{\"prompt\":\"hi\"}}").json();

        assertThat(r.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.get("output").get("echo").get("prompt").asText()).isEqualTo("hi");
        assertThat(r.get("output").get("worker").asText()).isEqualTo("runpod-style");
    }

    @Test
    void aJobTheWorkerLeavesOutOfItsHeartbeatsIsNotKeptLeasedToIt() {
        // as if the take's answer never reached the worker: it goes on pinging, idle, and never reports the job
        String id = hearth.post("/v2/forgetful/run", "{\"input\":1}").json().get("id").asText();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = hearth.get("/v2/forgetful/status/" + id).json();
            assertThat(s.get("status").asText()).isEqualTo("FAILED");
            assertThat(s.get("error").asText()).contains("stopped sending heartbeats");
        });
    }
}
