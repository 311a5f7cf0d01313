package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A version whose workers die before their first job three times in a row is crash looping: its jobs fail with the
 * error instead of waiting for ever, new ones are refused, and a fix (a redeploy, or {@code hearth restart} after
 * fixing what it needs outside its bundle) ends it. Waiting for a GPU is another matter.
 */
class CrashLoopTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    /** A handler whose import fails until {@code marker} exists. */
    static Path needsMarker(Path marker) throws IOException {
        Path dir = Files.createTempDirectory("needs-marker");
        Files.writeString(dir.resolve("handler.py"), """
                import os
                if not os.path.exists(os.environ["MARKER"]):
                    raise RuntimeError("model weights not found at " + os.environ["MARKER"])
                def handler(job):
                    return {"ok": True}
                """);
        Files.writeString(dir.resolve("hearth.yaml"), "name: needs-marker\nhandler: handler.py:handler\n"
                + "env: {MARKER: '" + marker + "'}\nscaling: {maxWorkers: 1, idleTimeout: 30s}\n");
        return dir;
    }

    JsonNode awaitCrashLoop(String function) {
        await().atMost(Duration.ofSeconds(60)).until(() -> hearth.get("/v1/functions/" + function).json()
                .path("state").asText().equals("crashLooping"));
        return hearth.get("/v1/functions/" + function).json();
    }

    @Test
    void aHandlerWhoseImportFailsFailsItsQueuedJobsWithTheErrorAndStopsStartingWorkers() throws IOException {
        assertThat(hearth.deploy("broken").status()).isEqualTo(201);

        String id = hearth.run("broken", "{}");

        JsonNode done = hearth.awaitFinal("broken", id);
        assertThat(done.get("status").asText()).isEqualTo("FAILED");
        assertThat(done.get("error").asText()).contains("crash looping").contains("model weights not found")
                .contains("hearth restart broken");
        JsonNode fn = hearth.get("/v1/functions/broken").json();
        assertThat(fn.get("state").asText()).isEqualTo("crashLooping");
        assertThat(fn.get("crashLoop").get("version").asInt()).isEqualTo(1);
        assertThat(fn.get("crashLoop").get("failures").asInt()).isEqualTo(3);
        assertThat(fn.get("crashLoop").get("lastLines").toString()).contains("model weights not found");
        List<String> workerLogs;
        try (var logs = Files.list(hearth.dataDir().resolve("logs").resolve("broken"))) {
            workerLogs = logs.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(workerLogs).as("one log per worker started").hasSize(3);
    }

    @Test
    void aCrashLoopingVersionRefusesNewJobsWith503AndShowsInHealthListAndMetrics() {
        hearth.deploy("broken");
        hearth.run("broken", "{}");
        awaitCrashLoop("broken");

        TestServer.Response refused = hearth.post("/v2/broken/run", "{\"input\": {}}");

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).contains("crash looping").contains("model weights");
        assertThat(hearth.get("/v2/broken/health").json().get("workers").get("unhealthy").asInt()).isEqualTo(1);
        assertThat(hearth.get("/v1/functions").json().get("functions").get(0).get("state").asText())
                .isEqualTo("crashLooping");
        var metrics = PrometheusText.parse(hearth.get("/metrics").body());
        assertThat(metrics.get("hearth_crash_loops_total").value("hearth_crash_loops_total",
                Map.of("function", "broken"))).isEqualTo(1);
    }

    @Test
    void restartEndsTheCrashLoopOnceWhatTheWorkersNeededIsThere() throws IOException {
        Path marker = TestSandbox.sharedDir("marker").resolve("weights.bin");
        assertThat(hearth.deploy(needsMarker(marker), "").status()).isEqualTo(201);
        hearth.run("needs-marker", "{}");
        awaitCrashLoop("needs-marker");
        Files.writeString(marker, "weights");

        TestServer.Response restarted = hearth.post("/v1/functions/needs-marker/restart", "");

        assertThat(restarted.status()).isEqualTo(200);
        assertThat(restarted.json().get("clearedCrashLoops").toString()).isEqualTo("[1]");
        assertThat(hearth.get("/v1/functions/needs-marker").json().get("state").asText()).isEqualTo("ok");
        JsonNode done = hearth.awaitFinal("needs-marker", hearth.run("needs-marker", "{}"));
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aRedeployEndsTheCrashLoop() throws IOException {
        Path marker = TestSandbox.sharedDir("marker").resolve("weights.bin");
        Path dir = needsMarker(marker);
        hearth.deploy(dir, "");
        hearth.run("needs-marker", "{}");
        awaitCrashLoop("needs-marker");
        Files.writeString(dir.resolve("handler.py"), "def handler(job):\n    return {\"fixed\": True}\n");

        assertThat(hearth.deploy(dir, "").status()).isEqualTo(201);

        assertThat(hearth.get("/v1/functions/needs-marker").json().get("state").asText()).isEqualTo("ok");
        JsonNode done = hearth.awaitFinal("needs-marker", hearth.run("needs-marker", "{}"));
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("fixed").asBoolean()).isTrue();
    }

    @Test
    void waitingForAGpuIsNotACrashLoop() {
        hearth.deploy("no-gpu-here");

        String id = hearth.run("no-gpu-here", "{}");

        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.get("/v1/functions/no-gpu-here").json()
                .path("state").asText().equals("waitingForGpu"));
        assertThat(hearth.status("no-gpu-here", id).get("status").asText()).isEqualTo("IN_QUEUE");
        assertThat(hearth.get("/v1/functions/no-gpu-here").json().has("crashLoop")).isFalse();
        assertThat(hearth.get("/v2/no-gpu-here/health").json().get("workers").get("unhealthy").asInt()).isZero();
    }
}
