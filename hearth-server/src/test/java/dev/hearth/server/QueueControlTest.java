package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Jobs that wait: the {@code gpu} fixture needs an H100 or A100 and this control plane has only an L4, so its jobs
 * stay queued with a reason, and can be cancelled, purged or expire.
 */
class QueueControlTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("gpu").onGpus("L4:1");

    @Test
    void aJobWhoseGpuRequestCannotBeMetStaysQueuedWithAReason() {
        String id = hearth.run("gpu", "{}");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode s = hearth.status("gpu", id);
            assertThat(s.get("status").asText()).isEqualTo("IN_QUEUE");
            assertThat(s.get("reason").asText()).contains("waiting for GPU").contains("H100");
        });
        assertThat(hearth.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void cancellingAQueuedJobCancelsItAtOnce() {
        String id = hearth.run("gpu", "{}");

        JsonNode r = hearth.post("/v2/gpu/cancel/" + id, "").json();

        assertThat(r.get("status").asText()).isEqualTo("CANCELLED");
        assertThat(hearth.status("gpu", id).get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void purgeQueueRemovesQueuedJobs() {
        String a = hearth.run("gpu", "{}");
        String b = hearth.run("gpu", "{}");

        JsonNode r = hearth.post("/v2/gpu/purge-queue", "").json();

        assertThat(r.get("removed").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(r.get("status").asText()).isEqualTo("completed");
        assertThat(hearth.status("gpu", a).get("status").asText()).isEqualTo("CANCELLED");
        assertThat(hearth.status("gpu", b).get("status").asText()).isEqualTo("CANCELLED");
    }

    @Test
    void aJobPastItsTtlIsGone() {
        String id = hearth.post("/v2/gpu/run", "{\"input\":{},\"policy\":{\"ttl\":1000}}").json().get("id").asText();

        await().atMost(Duration.ofSeconds(10)).until(() ->
                hearth.get("/v2/gpu/status/" + id).status() == 404);
    }

    @Test
    void runsyncReturnsANonFinalStatusWhenTheWaitRunsOut() {
        TestServer.Response r = hearth.post("/v2/gpu/runsync?wait=1000", "{\"input\":{}}");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("IN_QUEUE");
    }
}
