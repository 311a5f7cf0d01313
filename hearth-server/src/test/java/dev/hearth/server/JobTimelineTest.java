package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each job's timeline and its own log lines, through the management API against real workers. */
class JobTimelineTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "chatty", "progress");

    @Test
    void aColdJobsTimelineShowsQueuedWorkerStartedLeasedAndCompletedInOrder() {
        // another test's worker may still be idle: wait for the idle timeout (2 s) so that this job starts cold
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("echo") == 0);
        String id = hearth.run("echo", "{\"n\":1}");
        hearth.awaitFinal("echo", id);

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();

        assertThat(t.get("status").asText()).isEqualTo("COMPLETED");
        List<String> types = types(t);
        assertThat(types).endsWith("leased", "completed");
        assertThat(types.getFirst()).isIn("queued", "worker_started");
        assertThat(event(t, "queued").get("offsetMs").asLong()).isZero();
        JsonNode leased = event(t, "leased");
        assertThat(leased.get("attempt").asInt()).isEqualTo(1);
        assertThat(leased.get("workerId").asText()).startsWith("w-echo-");
        assertThat(leased.get("node").asText()).isNotBlank();
        assertThat(leased.get("version").asInt()).isEqualTo(1);
        assertThat(leased.get("coldStart").asBoolean()).isTrue();
        assertThat(types).contains("worker_started");
        assertThat(leased.get("initTimeMs").asLong()).isPositive();
        long last = Long.MIN_VALUE;
        for (JsonNode e : t.get("events")) {
            assertThat(e.get("offsetMs").asLong()).isGreaterThanOrEqualTo(last);
            last = e.get("offsetMs").asLong();
        }
    }

    @Test
    void aWarmJobHasNoWorkerStartedStep() {
        // the fixture's 2 s idle timeout could run out between the jobs on a busy machine
        hearth.scale("echo", "{\"idleTimeout\":\"120s\"}");
        hearth.awaitFinal("echo", hearth.run("echo", "{}"));
        String id = hearth.run("echo", "{}");
        JsonNode done = hearth.awaitFinal("echo", id);
        assertThat(hearth.delete("/v1/functions/echo/scaling").status()).isEqualTo(200);

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();

        assertThat(done.get("coldStart").asBoolean()).isFalse();
        assertThat(types(t)).containsExactly("queued", "leased", "completed");
        assertThat(event(t, "leased").get("coldStart").asBoolean()).isFalse();
    }

    @Test
    void aRetriedJobShowsBothAttemptsAndWhyTheFirstEnded() throws Exception {
        Path marker = TestSandbox.sharedDir("chatty").resolve("crashed");
        String id = hearth.run("chatty", "{\"lines\":[\"first try\"],\"crash\":true,\"marker\":\"" + marker + "\"}");
        hearth.awaitFinal("chatty", id);

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();

        List<String> types = types(t);
        assertThat(types).containsSubsequence("queued", "leased", "requeued", "leased", "completed");
        JsonNode requeued = event(t, "requeued");
        assertThat(requeued.get("attempt").asInt()).isEqualTo(1);
        assertThat(requeued.get("detail").asText()).isNotBlank();
        assertThat(t.get("events").get(types.lastIndexOf("leased")).get("attempt").asInt()).isEqualTo(2);

        JsonNode logs = hearth.get("/v1/jobs/" + id + "/logs").json();
        assertThat(logs.get("segments")).hasSize(2);
        assertThat(lines(logs.get("segments").get(0))).contains("first try");
        assertThat(lines(logs.get("segments").get(1))).contains("first try");
        assertThat(logs.get("segments").get(0).get("workerId").asText())
                .isNotEqualTo(logs.get("segments").get(1).get("workerId").asText());
    }

    @Test
    void progressUpdatesAppearOnTheTimeline() {
        String id = hearth.run("progress", "{}");
        hearth.awaitFinal("progress", id);

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();

        assertThat(types(t)).containsSubsequence("leased", "progress", "completed");
        assertThat(event(t, "progress").get("detail").asText()).contains("step");
    }

    @Test
    void aJobsLogsAreTheLinesItsWorkerPrintedWhileRunningIt() {
        String first = hearth.run("chatty", "{\"lines\":[\"alpha 1\",\"alpha 2\"],\"err\":\"alpha on stderr\"}");
        hearth.awaitFinal("chatty", first);
        String second = hearth.run("chatty", "{\"lines\":[\"beta 1\"]}");
        hearth.awaitFinal("chatty", second);

        JsonNode a = hearth.get("/v1/jobs/" + first + "/logs").json();
        JsonNode b = hearth.get("/v1/jobs/" + second + "/logs").json();

        assertThat(a.get("shared").asBoolean()).isFalse();
        assertThat(lines(a.get("segments").get(0))).contains("alpha 1", "alpha 2", "alpha on stderr")
                .doesNotContain("beta 1");
        assertThat(lines(b.get("segments").get(0))).contains("beta 1").doesNotContain("alpha 1");
        assertThat(b.get("segments").get(0).get("running").asBoolean()).isFalse();
    }

    @Test
    void aWorkersLogCanBeFollowedWithACursor() {
        String id = hearth.run("chatty", "{\"lines\":[\"gamma 1\"]}");
        String worker = hearth.awaitFinal("chatty", id).get("workerId").asText();
        JsonNode start = hearth.get("/v1/workers/" + worker + "/logs").json();
        assertThat(lines(start)).contains("gamma 1");
        long cursor = start.get("next").asLong();

        hearth.awaitFinal("chatty", hearth.run("chatty", "{\"lines\":[\"gamma 2\"]}"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode more = hearth.get("/v1/workers/" + worker + "/logs?after=" + cursor).json();
            assertThat(lines(more)).contains("gamma 2").doesNotContain("gamma 1");
            assertThat(more.get("next").asLong()).isGreaterThan(cursor);
        });
    }

    @Test
    void unknownJobsAndWorkersAreNotFound() {
        assertThat(hearth.get("/v1/jobs/nope/timeline").status()).isEqualTo(404);
        assertThat(hearth.get("/v1/jobs/nope/logs").status()).isEqualTo(404);
        assertThat(hearth.get("/v1/workers/w-nope/logs").status()).isEqualTo(404);
        assertThat(hearth.get("/v1/workers/..%2F..%2Fetc/logs").status()).isIn(400, 404);
    }

    @Test
    void aTimelineOutlivesARestart() {
        String id = hearth.run("echo", "{}");
        hearth.awaitFinal("echo", id);

        hearth.restart();

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();
        assertThat(types(t)).endsWith("leased", "completed");
    }

    private static List<String> types(JsonNode timeline) {
        List<String> out = new ArrayList<>();
        timeline.get("events").forEach(e -> out.add(e.get("type").asText()));
        return out;
    }

    private static JsonNode event(JsonNode timeline, String type) {
        for (JsonNode e : timeline.get("events")) {
            if (e.get("type").asText().equals(type)) {
                return e;
            }
        }
        throw new AssertionError("no " + type + " event in " + timeline);
    }

    private static List<String> lines(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.get("lines").forEach(l -> out.add(l.asText()));
        return out;
    }
}
