package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that knows nothing of Hearth: a standalone script that speaks RunPod's worker protocol the way
 * runpod-python does, configured only by RUNPOD_* variables.
 */
class RunPodWorkerTest {

    @TempDir
    static Path data;
    static TestServer hearth;

    @BeforeAll
    static void start() {
        hearth = TestServer.start(data);
        assertThat(hearth.deploy("runpod-style").status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        hearth.close();
    }

    @Test
    void aRunPodStyleWorkerServesJobsUnchanged() {
        JsonNode r = hearth.post("/v2/runpod-style/runsync", "{\"input\":{\"prompt\":\"hi\"}}").json();

        assertThat(r.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.get("output").get("echo").get("prompt").asText()).isEqualTo("hi");
        assertThat(r.get("output").get("worker").asText()).isEqualTo("runpod-style");
    }
}
