package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node drain (maintenance, spot interruption): no new workers on the node, in-flight jobs get a grace period, and
 * what is still running after it goes back to the queue and completes on another node, with nothing lost.
 */
class NodeDrainTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("gpu-sleepy").onGpus("node-a=H100:1;node-b=H100:1");

    @Test
    void aJobStillRunningAfterTheGraceGoesBackToTheQueueAndCompletesOnAnotherNode() {
        String id = hearth.run("gpu-sleepy", "{\"seconds\":4}");
        String first = awaitRunning(id);
        String node = nodeOf(first);

        JsonNode draining = hearth.post("/v1/nodes/" + node + "/drain?grace=1s", "").json();

        assertThat(draining.get("state").asText()).isEqualTo("DRAINING");
        JsonNode done = hearth.awaitFinal("gpu-sleepy", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("workerId").asText()).isNotEqualTo(first);
        // retries: 0, yet it completed: the drained attempt did not count
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> state(node).equals("DRAINED"));
        assertThat(hearth.get("/v1/functions/gpu-sleepy/jobs?state=COMPLETED").json().get("jobs").size())
                .isEqualTo(1);
    }

    @Test
    void aDrainedAndRequeuedJobsTimelineShowsBothRunsTheRequeueAndOnlyTheQueueWaitsAsDelay() {
        String id = hearth.run("gpu-sleepy", "{\"seconds\":4}");
        String node = nodeOf(awaitRunning(id));
        hearth.post("/v1/nodes/" + node + "/drain?grace=1s", "");
        assertThat(hearth.awaitFinal("gpu-sleepy", id).get("status").asText()).isEqualTo("COMPLETED");

        JsonNode t = hearth.get("/v1/jobs/" + id + "/timeline").json();

        assertThat(t.get("attempts").asInt()).isEqualTo(2);
        assertThat(t.get("requeues").asInt()).isEqualTo(1);
        List<JsonNode> events = new ArrayList<>();
        t.get("events").forEach(events::add);
        assertThat(events.stream().map(e -> e.get("type").asText()).filter(type -> !type.equals("worker_started")))
                .containsExactly("queued", "leased", "requeued", "leased", "completed");
        JsonNode firstLease = find(events, "leased", 0);
        JsonNode requeued = find(events, "requeued", 0);
        JsonNode secondLease = find(events, "leased", 1);
        assertThat(firstLease.get("attempt").asInt()).isEqualTo(1);
        assertThat(requeued.get("attempt").asInt()).isEqualTo(1);
        assertThat(secondLease.get("attempt").asInt()).isEqualTo(2);
        assertThat(find(events, "completed", 0).get("attempt").asInt()).isEqualTo(2);
        assertThat(requeued.get("detail").asText()).contains("drained");
        assertThat(requeued.get("counted").asBoolean()).isFalse();
        // the lost run lasted from its lease past the 1 s grace, to the requeue
        long lost = requeued.get("offsetMs").asLong() - firstLease.get("offsetMs").asLong();
        assertThat(requeued.get("runMs").asLong()).isEqualTo(lost).isGreaterThanOrEqualTo(1000);
        assertThat(t.get("lostRunMs").asLong()).isEqualTo(lost);
        // queue delay: submission to the first lease, plus requeue to the second lease; not the lost run
        long waits = firstLease.get("offsetMs").asLong()
                + secondLease.get("offsetMs").asLong() - requeued.get("offsetMs").asLong();
        assertThat(firstLease.get("waitedMs").asLong() + secondLease.get("waitedMs").asLong()).isEqualTo(waits);
        assertThat(t.get("queueDelayMs").asLong()).isEqualTo(waits);
        // the job's own counters are unchanged: the drained run used no retry
        assertThat(hearth.status("gpu-sleepy", id).get("attempts").asInt()).isEqualTo(1);
    }

    private static JsonNode find(List<JsonNode> events, String type, int nth) {
        return events.stream().filter(e -> e.get("type").asText().equals(type)).skip(nth).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " #" + nth + " in " + events));
    }

    @Test
    void workersOfTheDrainedNodeFinishTheirJobsWithinTheGraceAndNewWorkGoesElsewhere() {
        String id = hearth.run("gpu-sleepy", "{\"seconds\":1}");
        String first = awaitRunning(id);
        String node = nodeOf(first);
        String other = node.equals("node-a") ? "node-b" : "node-a";

        hearth.post("/v1/nodes/" + node + "/drain?grace=30s", "");
        String next = hearth.run("gpu-sleepy", "{\"seconds\":1}");

        assertThat(hearth.awaitFinal("gpu-sleepy", id).get("workerId").asText()).isEqualTo(first);
        String placed = awaitRunningOrDone(next);
        assertThat(placed).isNotEqualTo(first);
        assertThat(nodeOf(placed)).isEqualTo(other);
        assertThat(hearth.awaitFinal("gpu-sleepy", next).get("status").asText()).isEqualTo("COMPLETED");
        await().atMost(Duration.ofSeconds(20)).until(() -> state(node).equals("DRAINED"));

        JsonNode back = hearth.post("/v1/nodes/" + node + "/undrain", "").json();
        assertThat(back.get("state").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void nodesListTheirGpusAndAnUnknownNodeIsNamed() {
        JsonNode nodes = hearth.get("/v1/nodes").json().get("nodes");

        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(0).get("name").asText()).isEqualTo("node-a");
        assertThat(nodes.get(0).get("gpusTotal").asInt()).isEqualTo(1);
        assertThat(nodes.get(0).get("state").asText()).isEqualTo("ACTIVE");
        TestServer.Response unknown = hearth.post("/v1/nodes/node-z/drain", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body()).contains("node-a, node-b");
        assertThat(hearth.post("/v1/nodes/node-a/drain?grace=soon", "").status()).isEqualTo(400);
    }

    private String awaitRunning(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                hearth.status("gpu-sleepy", id).get("status").asText().equals("IN_PROGRESS"));
        return hearth.status("gpu-sleepy", id).get("workerId").asText();
    }

    private String awaitRunningOrDone(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.status("gpu-sleepy", id).hasNonNull("workerId"));
        return hearth.status("gpu-sleepy", id).get("workerId").asText();
    }

    private String nodeOf(String workerId) {
        for (JsonNode w : hearth.get("/v1/workers").json().get("workers")) {
            if (w.get("id").asText().equals(workerId)) {
                return w.get("node").asText();
            }
        }
        throw new AssertionError("no worker " + workerId);
    }

    private String state(String node) {
        for (JsonNode n : hearth.get("/v1/nodes").json().get("nodes")) {
            if (n.get("name").asText().equals(node)) {
                return n.get("state").asText();
            }
        }
        throw new AssertionError("no node " + node);
    }
}
