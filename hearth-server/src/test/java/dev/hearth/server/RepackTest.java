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

/** A multi-GPU worker is not blocked by scattered single-GPU workers: idle ones move so that it fits on one node. */
class RepackTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions().onGpus("node-a=H100:2;node-b=H100:2");

    @Test
    void scatteredIdleSingleGpuWorkersMoveSoATwoGpuWorkerFitsOnOneNode() {
        // filler takes node-a's first GPU, small packs its workers beside it and on node-b ...
        hearth.deploy("filler");
        await().atMost(Duration.ofSeconds(30)).until(() -> readyWorkers(hearth, "filler").size() == 1);
        hearth.deploy("small");
        await().atMost(Duration.ofSeconds(30)).until(() -> readyWorkers(hearth, "small").size() == 2);
        assertThat(nodesOf(readyWorkers(hearth, "small"))).containsExactlyInAnyOrder("node-a", "node-b");
        // ... and once filler is gone, each node has one GPU free: no room for two on one node
        hearth.delete("/v1/functions/filler");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("filler") == 0);
        hearth.deploy("big");

        JsonNode done = hearth.awaitFinal("big", hearth.run("big", "{\"seconds\":0.1}"));

        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(hearth.get("/v1/functions/big/events").body()).contains("repacking");
        await().atMost(Duration.ofSeconds(30)).until(() -> readyWorkers(hearth, "small").size() == 2);
        List<JsonNode> small = readyWorkers(hearth, "small");
        assertThat(nodesOf(small)).hasSize(1);
    }

    private static List<JsonNode> readyWorkers(TestServer server, String function) {
        List<JsonNode> ready = new ArrayList<>();
        for (JsonNode w : server.get("/v1/workers?function=" + function).json().get("workers")) {
            if (w.get("state").asText().equals("READY")) {
                ready.add(w);
            }
        }
        return ready;
    }

    private static Set<String> nodesOf(List<JsonNode> workers) {
        Set<String> nodes = new HashSet<>();
        workers.forEach(w -> nodes.add(w.get("node").asText()));
        return nodes;
    }
}
