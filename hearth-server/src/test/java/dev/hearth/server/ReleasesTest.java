package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every deploy is a version: rolling releases finish in-flight jobs on the old version, a canary gets its share of new
 * jobs, promote and rollback switch the active version, and all of it survives a restart. Each function's code
 * answers with its own version label, so a job's output proves which bundle ran it.
 */
class ReleasesTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions();

    @Test
    void aRollingReleaseFinishesInFlightJobsOnTheOldVersionAndRunsLaterJobsOnTheNew() {
        // one job per worker, at most two workers: the third job waits in the queue while the deploy happens
        deploy(function("rolling", "v1", 0, 1), null);
        List<String> inFlight = List.of(hearth.run("rolling", "{\"seconds\":3}"),
                hearth.run("rolling", "{\"seconds\":3}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.stream()
                .allMatch(id -> hearth.status("rolling", id).get("status").asText().equals("IN_PROGRESS")));
        String queuedBeforeDeploy = hearth.run("rolling", "{\"seconds\":0}");

        assertThat(deploy(function("rolling", "v2", 0, 1), null).get("version").asInt()).isEqualTo(2);
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            later.add(hearth.run("rolling", "{\"seconds\":0}"));
        }

        for (String id : inFlight) {
            JsonNode done = hearth.awaitFinal("rolling", id);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("version").asInt()).isEqualTo(1);
            assertThat(done.get("output").get("code").asText()).isEqualTo("v1");
            assertThat(done.get("attempts").asInt()).isEqualTo(1);
        }
        List<String> v2Workers = new ArrayList<>();
        for (String id : concat(List.of(queuedBeforeDeploy), later)) {
            JsonNode done = hearth.awaitFinal("rolling", id);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("version").asInt()).isEqualTo(2);
            assertThat(done.get("output").get("code").asText()).isEqualTo("v2");
            v2Workers.add(done.get("workerId").asText());
        }
        List<String> v1Workers = inFlight.stream().map(id -> hearth.status("rolling", id).get("workerId").asText())
                .toList();
        assertThat(v2Workers).doesNotContainAnyElementsOf(v1Workers);
        await().atMost(Duration.ofSeconds(30)).until(() -> workerVersions("rolling").stream().allMatch(v -> v == 2));
    }

    @Test
    void theOldVersionsWorkerShowsAsDrainingUntilItsJobIsDone() throws IOException {
        deploy(waiter("draining", "v1"), null);
        Path go = TestSandbox.sharedDir("hearth-go").resolve("go");
        String id = hearth.run("draining", "{\"go\":\"" + go + "\"}");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                hearth.status("draining", id).get("status").asText().equals("IN_PROGRESS"));
        String v1Worker = hearth.status("draining", id).get("workerId").asText();

        deploy(waiter("draining", "v2"), null);

        JsonNode worker = null;
        for (JsonNode w : hearth.get("/v1/workers?function=draining").json().get("workers")) {
            if (w.get("id").asText().equals(v1Worker)) {
                worker = w;
            }
        }
        assertThat(worker).as("the v1 worker in /v1/workers").isNotNull();
        assertThat(worker.get("state").asText()).isEqualTo("DRAINING");
        assertThat(worker.get("version").asInt()).isEqualTo(1);
        assertThat(worker.get("inFlight").asInt()).isEqualTo(1);
        assertThat(hearth.get("/v1/workers").body()).contains(v1Worker);
        assertThat(hearth.get("/metrics").body())
                .contains("hearth_workers{function=\"draining\",state=\"draining\"} 1.0");

        Files.createFile(go);
        assertThat(hearth.awaitFinal("draining", id).get("output").get("code").asText()).isEqualTo("v1");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !hearth.get("/v1/workers?function=draining").body().contains(v1Worker));
        assertThat(hearth.get("/metrics").body())
                .contains("hearth_workers{function=\"draining\",state=\"draining\"} 0.0");
    }

    @Test
    void aCanaryGetsItsShareOfNewJobsAndEachJobRunsOnTheVersionItWasAssigned() {
        deploy(function("canary", "v1", 0), null);
        JsonNode canary = deploy(function("canary", "v2", 0), "10%25");
        assertThat(canary.get("canaryPercent").asInt()).isEqualTo(10);
        JsonNode release = hearth.get("/v1/functions/canary").json().get("release");
        assertThat(release.get("active").asInt()).isEqualTo(1);
        assertThat(release.get("canary").get("version").asInt()).isEqualTo(2);

        int n = 1000;
        for (int i = 0; i < n; i++) {
            hearth.run("canary", "{\"seconds\":0}");
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                hearth.get("/v1/functions/canary/jobs?state=COMPLETED&limit=1000").json().get("jobs").size() == n);

        int onCanary = 0;
        for (JsonNode job : hearth.get("/v1/functions/canary/jobs?limit=1000").json().get("jobs")) {
            int version = job.get("version").asInt();
            // the job ran the code of the version it records
            assertThat(job.get("output").get("code").asText()).isEqualTo("v" + version);
            onCanary += version == 2 ? 1 : 0;
        }
        // Each job goes to the canary independently with p = 0.1: sigma = sqrt(0.1 * 0.9 / 1000) = 0.95 points, so
        // 10 ± 4.5 points is a 4.7-sigma bound (a false failure about once in 400,000 runs).
        assertThat(onCanary / (double) n).isBetween(0.055, 0.145);
    }

    @Test
    void promoteMakesTheCanaryActiveForEveryNewJobAndDrainsTheOldVersion() {
        deploy(function("promote", "v1", 0), null);
        deploy(function("promote", "v2", 0), "50");
        hearth.awaitFinal("promote", hearth.run("promote", "{\"seconds\":0}"));

        JsonNode promoted = hearth.post("/v1/functions/promote/promote", "").json();

        assertThat(promoted.get("active").asInt()).isEqualTo(2);
        assertThat(promoted.has("canary")).isFalse();
        for (int i = 0; i < 10; i++) {
            JsonNode done = hearth.awaitFinal("promote", hearth.run("promote", "{\"seconds\":0}"));
            assertThat(done.get("version").asInt()).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> workerVersions("promote").stream().allMatch(v -> v == 2));
        TestServer.Response again = hearth.post("/v1/functions/promote/promote", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("no canary");
    }

    @Test
    void rollbackRunsThePreviousVersionsStoredBundleAgainAndSurvivesARestart() {
        deploy(function("rollback", "v1", 0), null);
        deploy(function("rollback", "v2", 0), null);
        assertThat(hearth.awaitFinal("rollback", hearth.run("rollback", "{}")).get("output").get("code").asText())
                .isEqualTo("v2");

        JsonNode back = hearth.post("/v1/functions/rollback/rollback", "").json();

        assertThat(back.get("active").asInt()).isEqualTo(1);
        JsonNode done = hearth.awaitFinal("rollback", hearth.run("rollback", "{}"));
        assertThat(done.get("version").asInt()).isEqualTo(1);
        assertThat(done.get("output").get("code").asText()).isEqualTo("v1");
        JsonNode versions = hearth.get("/v1/functions/rollback/versions").json().get("versions");
        assertThat(versions).extracting(v -> v.get("version").asInt() + ":" + v.get("status").asText())
                .containsExactly("2:inactive", "1:active");
        assertThat(versions.get(0).get("bundleSha256").asText()).hasSize(64);

        hearth.restart();

        assertThat(hearth.get("/v1/functions/rollback").json().get("release").get("active").asInt()).isEqualTo(1);
        assertThat(hearth.awaitFinal("rollback", hearth.run("rollback", "{}")).get("output").get("code").asText())
                .isEqualTo("v1");
        assertThat(hearth.post("/v1/functions/rollback/rollback", "{\"version\":2}").json().get("active").asInt())
                .isEqualTo(2);
        assertThat(hearth.awaitFinal("rollback", hearth.run("rollback", "{}")).get("output").get("code").asText())
                .isEqualTo("v2");
        TestServer.Response missing = hearth.post("/v1/functions/rollback/rollback", "{\"version\":9}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("no version 9");
    }

    @Test
    void rollbackDuringACanaryCancelsItAndItsQueuedJobsRunOnTheStableVersion() {
        deploy(function("cancel", "v1", 0), null);
        // the canary's workers take 60 s to start: its jobs stay queued until the rollback moves them
        deploy(function("cancel", "v2", 60), "50");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(hearth.run("cancel", "{\"seconds\":0}"));
        }
        List<String> assignedToCanary = ids.stream()
                .filter(id -> hearth.status("cancel", id).get("version").asInt() == 2).toList();
        // 20 jobs at 50%: none on the canary has probability 1e-6
        assertThat(assignedToCanary).isNotEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> assignedToCanary.stream()
                .allMatch(id -> hearth.status("cancel", id).get("status").asText().equals("IN_QUEUE")));

        JsonNode back = hearth.post("/v1/functions/cancel/rollback", "").json();

        assertThat(back.get("active").asInt()).isEqualTo(1);
        assertThat(back.has("canary")).isFalse();
        for (String id : ids) {
            JsonNode done = hearth.awaitFinal("cancel", id);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("output").get("code").asText()).isEqualTo("v1");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> workerVersions("cancel").stream().allMatch(v -> v == 1));
    }

    @Test
    void aCanaryAndTheJobsAssignedToItSurviveARestart() {
        deploy(function("durable", "v1", 0), null);
        deploy(function("durable", "v2", 0), "50");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(hearth.run("durable", "{\"seconds\":0}"));
        }
        List<Integer> assigned = ids.stream().map(id -> hearth.status("durable", id).get("version").asInt()).toList();

        hearth.restart();

        JsonNode release = hearth.get("/v1/functions/durable").json().get("release");
        assertThat(release.get("canary").get("version").asInt()).isEqualTo(2);
        assertThat(release.get("canary").get("percent").asInt()).isEqualTo(50);
        for (int i = 0; i < ids.size(); i++) {
            JsonNode done = hearth.awaitFinal("durable", ids.get(i));
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("version").asInt()).isEqualTo(assigned.get(i));
            assertThat(done.get("output").get("code").asText()).isEqualTo("v" + assigned.get(i));
        }
    }

    @Test
    void theCanarysShareCanChangeWhileItRunsAndNewJobsFollowTheNewShare() {
        deploy(function("share", "v1", 0), null);
        deploy(function("share", "v2", 0), "10");

        JsonNode changed = hearth.post("/v1/functions/share/canary", "{\"percent\": 99}").json();

        assertThat(changed.get("active").asInt()).isEqualTo(1);
        assertThat(changed.get("canary").get("version").asInt()).isEqualTo(2);
        assertThat(changed.get("canary").get("percent").asInt()).isEqualTo(99);
        JsonNode versions = hearth.get("/v1/functions/share/versions").json().get("versions");
        assertThat(versions.get(0).get("canaryPercent").asInt()).isEqualTo(99);
        int onCanary = 0;
        for (int i = 0; i < 50; i++) {
            onCanary += hearth.status("share", hearth.run("share", "{\"seconds\":0}")).get("version").asInt() == 2
                    ? 1 : 0;
        }
        // at 99% the chance of fewer than 40 of 50 on the canary is below 1e-20
        assertThat(onCanary).isGreaterThanOrEqualTo(40);
    }

    @Test
    void aCanaryShareChangeIsRefusedWithoutACanaryOrWithABadPercent() {
        deploy(function("noshare", "v1", 0), null);
        TestServer.Response none = hearth.post("/v1/functions/noshare/canary", "{\"percent\": 20}");
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.body()).contains("has no canary");
        deploy(function("noshare", "v2", 0), "10");
        TestServer.Response bad = hearth.post("/v1/functions/noshare/canary", "{\"percent\": 100}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("1 to 99");
        assertThat(hearth.post("/v1/functions/noshare/canary", "{}").status()).isEqualTo(400);
    }

    @Test
    void badReleaseRequestsAreRefusedWithWhatToFix() {
        deploy(function("refused", "v1", 0), null);
        assertThat(hearth.post("/v1/functions/refused/rollback", "").body()).contains("hearth rollback refused <version>");
        assertThat(hearth.post("/v1/functions/refused/rollback", "{\"version\":\"two\"}").status()).isEqualTo(400);
        TestServer.Response share = send(function("refused", "v2", 0), "150");
        assertThat(share.status()).isEqualTo(400);
        assertThat(share.body()).contains("1 to 99");
        TestServer.Response first = send(function("fresh", "v1", 0), "10");
        assertThat(first.status()).isEqualTo(409);
        assertThat(first.body()).contains("deploy it once without --canary");
        assertThat(hearth.get("/v1/functions/nothing/versions").status()).isEqualTo(404);
    }

    // ---------------------------------------------------------------- helpers

    /** A function whose handler sleeps input.seconds and answers with its code label; it starts after a delay. */
    private static Path function(String name, String code, int startSeconds) {
        return function(name, code, startSeconds, 4);
    }

    private static Path function(String name, String code, int startSeconds, int concurrency) {
        try {
            Path dir = Files.createTempDirectory("hearth-release-" + name);
            Files.writeString(dir.resolve("hearth.yaml"), """
                    name: %s
                    handler: handler.py:handler
                    scaling:
                      minWorkers: 0
                      maxWorkers: 2
                      idleTimeout: 5s
                      concurrency: %d
                    timeout: 60s
                    startupTimeout: 120s
                    """.formatted(name, concurrency));
            Files.writeString(dir.resolve("handler.py"), """
                    import time
                    time.sleep(%d)
                    def handler(job):
                        time.sleep(float((job["input"] or {}).get("seconds", 0)))
                        return {"code": "%s"}
                    """.formatted(startSeconds, code));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A function whose handler waits until the file input.go exists, then answers with its code label. Concurrency
     * 2: a worker running one job keeps asking for another, so it meets the release change on its own too.
     */
    private static Path waiter(String name, String code) throws IOException {
        Path dir = Files.createTempDirectory("hearth-release-" + name);
        Files.writeString(dir.resolve("hearth.yaml"), """
                name: %s
                handler: handler.py:handler
                scaling:
                  maxWorkers: 1
                  idleTimeout: 30s
                  concurrency: 2
                timeout: 120s
                """.formatted(name));
        Files.writeString(dir.resolve("handler.py"), """
                import os, time
                def handler(job):
                    while not os.path.exists(job["input"]["go"]):
                        time.sleep(0.05)
                    return {"code": "%s"}
                """.formatted(code));
        return dir;
    }

    private static TestServer.Response send(Path dir, String canary) {
        return hearth.deploy(dir, canary == null ? "" : "?canary=" + canary);
    }

    private static JsonNode deploy(Path dir, String canary) {
        TestServer.Response r = send(dir, canary);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static List<Integer> workerVersions(String function) {
        List<Integer> out = new ArrayList<>();
        hearth.get("/v1/workers?function=" + function).json().get("workers")
                .forEach(w -> out.add(w.get("version").asInt()));
        return out;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
