package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A burst on real worker processes and 8 fake GPUs: up to maxWorkers at once, every job done, back to zero. */
class BurstScalingTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("burst").onGpus("H100:8");

    @Test
    void aBurstOf200JobsPeaksAtExactlyMaxWorkersCompletesEveryJobAndScalesBackToZero() throws Exception {
        List<String> ids = new ArrayList<>();
        // sixteen clients at once, so that the burst arrives faster than the workers can serve it
        try (var clients = java.util.concurrent.Executors.newFixedThreadPool(16)) {
            List<java.util.concurrent.Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(clients.submit(() -> hearth.run("burst", "{\"seconds\":0.15}")));
            }
            for (var f : futures) {
                ids.add(f.get());
            }
        }

        Set<String> workers = new HashSet<>();
        for (String id : ids) {
            JsonNode done = hearth.awaitFinal("burst", id);
            assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
            workers.add(done.get("workerId").asText());
        }
        assertThat(workers).hasSizeGreaterThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("burst") == 0);

        // the peak, from the autoscaler's own record: workers started less workers drained, after each decision
        JsonNode events = hearth.get("/v1/functions/burst/events").json().get("events");
        int workersNow = 0;
        int peak = 0;
        for (JsonNode e : events) {
            workersNow += e.get("delta").asInt();
            peak = Math.max(peak, workersNow);
            assertThat(e.get("desired").asInt()).as("desired in %s", e).isLessThanOrEqualTo(8);
        }
        assertThat(peak).as("workers at the peak, by the scaling events %s", events).isEqualTo(8);
        assertThat(workersNow).as("workers at the end, by the scaling events %s", events).isZero();
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("action").asText()).isEqualTo("scale-up");
            assertThat(e.get("panic").asBoolean()).isTrue();
            assertThat(e.get("inputs").get("queued").asInt()).isPositive();
        });
        assertThat(events).anySatisfy(e -> assertThat(e.get("why").asText()).isEqualTo("scale from zero"));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("action").asText()).isEqualTo("scale-down");
            assertThat(e.get("reason").asText()).contains("idle for 2s");
        });
    }

    @Test
    void afterABurstATrickleOfJobsKeepsFewWorkersAndTheSurplusScalesDown() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(hearth.run("burst", "{\"seconds\":0.3}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("burst") == 8);
        for (String id : ids) {
            assertThat(hearth.awaitFinal("burst", id).get("status").asText()).isEqualTo("COMPLETED");
        }

        // one short job after another: in turn round eight workers, each would get one every ~1 s and none would
        // reach its 2 s idle timeout; the most recently busy worker taking each, the others go idle and are stopped
        java.util.concurrent.atomic.AtomicBoolean trickle = new java.util.concurrent.atomic.AtomicBoolean(true);
        Set<String> servedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Thread client = Thread.ofVirtual().start(() -> {
            while (trickle.get()) {
                JsonNode r = hearth.post("/v2/burst/runsync", "{\"input\":{\"seconds\":0.1}}").json();
                servedBy.add(r.path("workerId").asText());
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("burst") <= 2);
            servedBy.clear();
            await().atMost(Duration.ofSeconds(10)).until(() -> servedBy.size() >= 1);
        } finally {
            trickle.set(false);
            client.join();
        }
        assertThat(hearth.workerCount("burst")).as("workers left serving the trickle").isBetween(1, 2);
    }

    @Test
    void loweringMaxWorkersLiveDrainsBusyWorkersWithoutFailingTheirJobs() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(hearth.run("burst", "{\"seconds\":2}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.get("/v1/workers?function=burst").json()
                .get("workers").findValues("inFlight").stream().mapToInt(JsonNode::asInt).sum() == 4);

        TestServer.Response r = hearth.send(java.net.http.HttpRequest.newBuilder(
                        hearth.url().resolve("/v1/functions/burst/scaling"))
                .header("Authorization", "Bearer " + TestServer.KEY)
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"maxWorkers\":1}")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);

        for (String id : ids) {
            assertThat(hearth.awaitFinal("burst", id).get("status").asText()).isEqualTo("COMPLETED");
        }
        assertThat(hearth.get("/v1/functions/burst/events").body()).contains("over maxWorkers 1");
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("burst") <= 1);
    }
}
