package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker that knows nothing of Hearth: a standalone script that speaks RunPod's worker protocol the way
 * runpod-python does, configured only by RUNPOD_* variables.
 */
class RunPodWorkerTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("runpod-style");

    @Test
    void aRunPodStyleWorkerServesJobsUnchanged() {
        JsonNode r = hearth.post("/v2/runpod-style/runsync", "{\"input\":{\"prompt\":\"hi\"}}").json();

        assertThat(r.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.get("output").get("echo").get("prompt").asText()).isEqualTo("hi");
        assertThat(r.get("output").get("worker").asText()).isEqualTo("runpod-style");
    }
}
