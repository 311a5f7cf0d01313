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

/** Timeouts, retries, cancellation, TTL and the other RunPod job calls, through HTTP against real workers. */
class JobLifecycleTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions(
            "echo", "sleepy", "crashy", "fails", "progress", "stream", "counted");

    @Test
    void runThenStatusReportsTimingsAndTheWorker() {
        String id = hearth.run("echo", "{\"n\":7}");

        JsonNode done = hearth.awaitFinal("echo", id);

        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("n").asInt()).isEqualTo(7);
        assertThat(done.get("delayTime").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(done.get("executionTime").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(done.has("coldStart")).isTrue();
        assertThat(done.get("workerId").asText()).startsWith("w-echo-");
    }

    @Test
    void aJobThatRunsPastItsExecutionTimeoutIsTimedOutAndAWorkerThatDoesNotStopItReplaced() {
        String id = hearth.post("/v2/sleepy/run", "{\"input\":{\"seconds\":30,\"ignoreStop\":true},"
                + "\"policy\":{\"executionTimeout\":1500}}").json().get("id").asText();

        JsonNode done = hearth.awaitFinal("sleepy", id);

        assertThat(done.get("status").asText()).isEqualTo("TIMED_OUT");
        assertThat(done.get("error").asText()).contains("1500 ms");
        String worker = done.get("workerId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                !hearth.get("/v1/workers?function=sleepy").body().contains(worker));
    }

    @Test
    void aWorkerThatStopsItsTimedOutJobInTimeIsKeptForTheNextJob() {
        String id = hearth.post("/v2/sleepy/run",
                "{\"input\":{\"seconds\":30},\"policy\":{\"executionTimeout\":1500}}").json().get("id").asText();
        JsonNode done = hearth.awaitFinal("sleepy", id);
        assertThat(done.get("status").asText()).isEqualTo("TIMED_OUT");
        String worker = done.get("workerId").asText();

        // longer than the lease (3 pings) after which a worker still holding the job is replaced
        JsonNode next = hearth.post("/v2/sleepy/runsync", "{\"input\":{\"seconds\":2}}").json();

        assertThat(next.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(next.get("workerId").asText()).isEqualTo(worker);
        assertThat(hearth.get("/v1/workers?function=sleepy").body()).contains(worker);
    }

    @Test
    void aJobWhoseWorkerDiesMidJobIsRetriedOnANewWorker() throws Exception {
        Path marker = TestSandbox.sharedDir("crashy").resolve("crashed");
        String id = hearth.run("crashy", "{\"crash\":true,\"marker\":\"" + marker + "\"}");

        JsonNode done = hearth.awaitFinal("crashy", id);

        assertThat(Files.exists(marker)).as("the first attempt crashed its worker").isTrue();
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(done.get("output").get("ok").asBoolean()).isTrue();
    }

    @Test
    void aHandlerErrorFailsTheJobWithTheErrorAndRetryRunsItAgain() {
        String id = hearth.run("fails", "{}");

        JsonNode failed = hearth.awaitFinal("fails", id);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").asText()).contains("boom");

        JsonNode retried = hearth.post("/v2/fails/retry/" + id, "").json();
        assertThat(retried.get("id").asText()).isEqualTo(id);
        assertThat(retried.get("status").asText()).isEqualTo("IN_QUEUE");
        assertThat(hearth.awaitFinal("fails", id).get("status").asText()).isEqualTo("FAILED");
    }

    @Test
    void retryOfACompletedJobIsAConflict() {
        String id = hearth.run("echo", "1");
        hearth.awaitFinal("echo", id);

        TestServer.Response r = hearth.post("/v2/echo/retry/" + id, "");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("detail").asText()).contains("only FAILED or TIMED_OUT");
    }

    @Test
    void cancellingARunningJobStopsItAndTellsTheWorker() {
        String id = hearth.run("sleepy", "{\"seconds\":30}");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                hearth.status("sleepy", id).get("status").asText().equals("IN_PROGRESS"));

        JsonNode cancelled = hearth.post("/v2/sleepy/cancel/" + id, "").json();

        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(hearth.status("sleepy", id).get("status").asText()).isEqualTo("CANCELLED");
        // the worker abandons the job and is free again: the next job runs on it
        String next = hearth.run("sleepy", "{\"seconds\":0}");
        assertThat(hearth.awaitFinal("sleepy", next).get("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void theJobIdAloneFindsAndCancelsAJob() {
        String id = hearth.run("sleepy", "{\"seconds\":30}");

        JsonNode status = hearth.get("/v1/jobs/" + id).json();
        assertThat(status.get("id").asText()).isEqualTo(id);
        assertThat(status.get("function").asText()).isEqualTo("sleepy");
        assertThat(status.get("status").asText()).isIn("IN_QUEUE", "IN_PROGRESS");

        JsonNode cancelled = hearth.post("/v1/jobs/" + id + "/cancel", "").json();
        assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.get("function").asText()).isEqualTo("sleepy");
        assertThat(hearth.status("sleepy", id).get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void anUnknownJobIdIsANotFoundProblem() {
        TestServer.Response r = hearth.post("/v1/jobs/no-such-job/cancel", "");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains("no job 'no-such-job'");
        assertThat(hearth.get("/v1/jobs/no-such-job").status()).isEqualTo(404);
    }

    @Test
    void progressUpdatesShowAsOutputWhileRunningAndTheResultWins() {
        // each of the three updates stays the latest for half a second: long enough to be seen by polling /status
        String id = hearth.run("progress", "{\"delay\":0.5}");
        List<Integer> stepsSeen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode s = hearth.status("progress", id);
            if (s.get("status").asText().equals("IN_PROGRESS") && s.path("output").has("step")) {
                stepsSeen.add(s.get("output").get("step").asInt());
            }
            return s.get("status").asText().equals("COMPLETED");
        });

        assertThat(stepsSeen).as("progress seen in /status while the job ran").isNotEmpty().isSorted()
                .allSatisfy(step -> assertThat(step).isBetween(1, 3));
        assertThat(hearth.status("progress", id).get("output").asText()).isEqualTo("done");
    }

    @Test
    void streamReturnsTheChunksAGeneratorYielded() {
        String id = hearth.run("stream", "{\"n\":3}");
        StringBuilder seen = new StringBuilder();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode s = hearth.get("/v2/stream/stream/" + id).json();
            s.get("stream").forEach(c -> seen.append(c.get("output").get("i").asInt()));
            return s.get("status").asText().equals("COMPLETED");
        });

        assertThat(seen.toString()).isEqualTo("012");
        JsonNode done = hearth.status("stream", id);
        assertThat(done.get("output").size()).isEqualTo(3);
    }

    @Test
    void healthCountsJobsAndWorkers() {
        hearth.post("/v2/counted/runsync", "{\"input\":{\"seconds\":0}}");
        hearth.post("/v2/counted/runsync", "{\"input\":{\"seconds\":0}}");
        String running = hearth.run("counted", "{\"seconds\":60}");
        String waiting = hearth.run("counted", "{\"seconds\":60}");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                hearth.status("counted", running).get("status").asText().equals("IN_PROGRESS"));

        JsonNode health = hearth.get("/v2/counted/health").json();

        // two done, one running on the function's only worker, one waiting for it (waiting for a busy worker under
        // maxWorkers is not throttled: that is a worker Hearth wants to start but cannot place)
        assertThat(health.get("jobs")).isEqualTo(TestServer.JSON.createObjectNode().put("completed", 2)
                .put("failed", 0).put("inProgress", 1).put("inQueue", 1).put("retried", 0));
        assertThat(health.get("workers")).isEqualTo(TestServer.JSON.createObjectNode().put("idle", 0)
                .put("initializing", 0).put("ready", 1).put("running", 1).put("throttled", 0).put("unhealthy", 0));
        hearth.post("/v2/counted/cancel/" + waiting, "");
        hearth.post("/v2/counted/cancel/" + running, "");
    }
}
