package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Scaling changes without a redeploy: applied at once, validated, durable across restarts, reset by a deploy. */
class LiveScalingTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("echo");

    TestServer.Response patch(String json) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/functions/echo/scaling"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void raisingMinWorkersStartsAWarmWorkerAndSurvivesARestart() {
        TestServer.Response r = patch("{\"minWorkers\":1,\"maxWorkers\":3,\"bufferWorkers\":1,\"idleTimeout\":\"30s\"}");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("scaling").get("minWorkers").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("echo") == 1);

        hearth.restart();

        JsonNode scaling = hearth.get("/v1/functions/echo").json().get("scaling");
        assertThat(scaling.get("minWorkers").asInt()).isEqualTo(1);
        assertThat(scaling.get("maxWorkers").asInt()).isEqualTo(3);
        assertThat(scaling.get("bufferWorkers").asInt()).isEqualTo(1);
        assertThat(scaling.get("idleTimeout").asText()).isEqualTo("30s");
        assertThat(scaling.get("liveUpdate").get("minWorkers").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("echo") == 1);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> hearth.get("/v1/functions/echo/events").body().contains("keep minWorkers 1"));
    }

    @Test
    void aDeployResetsTheLiveUpdateToTheManifest() {
        assertThat(patch("{\"maxWorkers\":5}").status()).isEqualTo(200);

        hearth.deploy("echo");

        JsonNode scaling = hearth.get("/v1/functions/echo").json().get("scaling");
        assertThat(scaling.get("maxWorkers").asInt()).isEqualTo(2);
        assertThat(scaling.has("liveUpdate")).isFalse();
    }

    @Test
    void badUpdatesAreProblemsNamingTheField() {
        TestServer.Response tooFew = patch("{\"minWorkers\":5}");
        assertThat(tooFew.status()).isEqualTo(400);
        assertThat(tooFew.contentType()).startsWith("application/problem+json");
        assertThat(tooFew.json().get("detail").asText()).contains("'scaling.maxWorkers' (2)")
                .contains("'scaling.minWorkers' (5)");

        assertThat(patch("{\"maxWorkers\":\"many\"}").json().get("detail").asText()).contains("'maxWorkers'");
        assertThat(patch("{\"concurrency\":2}").json().get("detail").asText()).contains("unknown field 'concurrency'");
        assertThat(patch("{\"scaler\":\"magic\"}").json().get("detail").asText()).contains("'scaler'");
        assertThat(patch("{\"idleTimeout\":\"soon\"}").json().get("detail").asText()).contains("'idleTimeout'");
        assertThat(patch("{}").status()).isEqualTo(400);
        // nothing was stored by the failed attempts
        assertThat(hearth.get("/v1/functions/echo").json().get("scaling").has("liveUpdate")).isFalse();
    }
}
