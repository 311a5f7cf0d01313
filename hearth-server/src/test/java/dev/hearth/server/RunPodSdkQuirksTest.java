package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What unmodified runpod-python 1.12 workers do that Hearth must live with, against a real control plane and a worker
 * process that does it on the wire ({@code functions/runpod-112/worker.py}).
 */
class RunPodSdkQuirksTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("runpod-112");

    @Test
    void aJobCancelledBeforeItsTaskExistsIsStoppedOnceItDoes() throws IOException {
        // a sandboxed worker writes only where the test shares a directory with it
        Path marker = TestSandbox.sharedDir("cancelled").resolve("task-cancelled");
        String id = hearth.run("runpod-112", "{\"seconds\": 30, \"marker\": \"" + marker + "\"}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                hearth.status("runpod-112", id).get("status").asText().equals("IN_PROGRESS"));

        // within the worker's 1.5 s between the take and the job's task: the first stop finds no task to cancel
        hearth.post("/v2/runpod-112/cancel/" + id, "");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(marker));
        assertThat(hearth.status("runpod-112", id).get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aWorkerWithMoreConcurrencyThanItsSlotsWaitsInItsTakeInsteadOfAskingAgainAndAgain() {
        String first = hearth.run("runpod-112", "{\"seconds\": 3}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                hearth.status("runpod-112", first).get("status").asText().equals("IN_PROGRESS"));
        String second = hearth.run("runpod-112", "{\"seconds\": 0}");

        JsonNode done = hearth.awaitFinal("runpod-112", second);

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        // one take per job and a few long-polls, where answering at once made it thousands in those 3 s
        assertThat(done.at("/output/takes").asInt()).isLessThan(20);
        assertThat(done.at("/output/env/RUNPOD_SKIP_AUTO_SYSTEM_CHECKS").asText()).isEqualTo("true");
        assertThat(done.at("/output/env/RUNPOD_DEBUG_LEVEL").asText()).isEqualTo("INFO");
    }

    @Test
    void aWorkerSendingAnotherKeyIsKnownByTheTokenInItsUrlsAndHasItsOwnHome() throws IOException {
        deploy("runpod-keyed", "  RUNPOD_CONFIG_KEY: rpa_from_a_config_toml\n  RUNPOD_DEBUG_LEVEL: DEBUG\n");

        JsonNode done = hearth.post("/v2/runpod-keyed/runsync", "{\"input\": {\"seconds\": 0}}").json();

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(Path.of(done.at("/output/home").asText()))
                .isEqualTo(hearth.dataDir().toAbsolutePath().resolve("home").resolve("runpod-keyed"));
        // the manifest's env wins over the defaults
        assertThat(done.at("/output/env/RUNPOD_DEBUG_LEVEL").asText()).isEqualTo("DEBUG");
        assertThat(done.at("/output/env/RUNPOD_SKIP_AUTO_SYSTEM_CHECKS").asText()).isEqualTo("true");
    }

    @Test
    void aWorkerRefusedAgainAndAgainIsWhyItsJobsWait() throws IOException {
        deploy("runpod-refused", "  RUNPOD_CONFIG_KEY: rpa_from_a_config_toml\n  DROP_URL_QUERY: \"1\"\n");
        String id = hearth.run("runpod-refused", "{\"seconds\": 0}");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode s = hearth.status("runpod-refused", id);
            assertThat(s.get("status").asText()).isEqualTo("IN_QUEUE");
            assertThat(s.path("reason").asText()).contains("is refused").contains("wrong worker token (401)");
        });
        hearth.delete("/v1/functions/runpod-refused");
    }

    @Test
    void aStoppedWorkerExitsAtOnceInsteadOfWaitingForItsLongPolls() throws IOException {
        deploy("runpod-brief", "");
        hearth.scale("runpod-brief", "{\"idleTimeout\": \"1s\"}");
        JsonNode done = hearth.post("/v2/runpod-brief/runsync", "{\"input\": {\"seconds\": 0}}").json();
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        Path log = hearth.dataDir().resolve("logs").resolve("runpod-brief")
                .resolve(done.get("workerId").asText() + ".log");

        // scaled down once idle: its open take and stop polls are answered, and it exits on its own (killed after
        // the 5 s grace otherwise, having waited for its 20 s stop poll)
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("runpod-brief") == 0);
        assertThat(Files.readString(log)).contains("exiting");
    }

    /** The runpod-112 worker as another function, with more variables. */
    private static void deploy(String name, String env) throws IOException {
        Path dir = Files.createTempDirectory(name);
        Files.copy(TestServer.fixtureDir("runpod-112").resolve("worker.py"), dir.resolve("worker.py"));
        Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\ncommand: [python3, worker.py]\n"
                + "scaling: {maxWorkers: 1, idleTimeout: 30s}\nenv:\n  TASK_DELAY: \"0.1\"\n" + env);
        TestServer.Response r = hearth.deploy(dir, "");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
}
