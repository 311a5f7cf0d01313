package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ManagementApiTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions();

    @Test
    void eachDeployIsANewVersionOfTheSameContentAddressedBundle() {
        JsonNode first = hearth.deploy("echo").json();
        JsonNode second = hearth.deploy("echo").json();

        assertThat(second.get("version").asInt()).isEqualTo(first.get("version").asInt() + 1);
        assertThat(second.get("bundleSha256").asText()).isEqualTo(first.get("bundleSha256").asText());
    }

    @Test
    void listAndGetShowTheManifest() {
        hearth.deploy("echo");

        JsonNode list = hearth.get("/v1/functions").json().get("functions");
        JsonNode echo = hearth.get("/v1/functions/echo").json();

        assertThat(list.findValuesAsText("name")).contains("echo");
        assertThat(echo.get("manifest").asText()).contains("handler.py:handler");
        assertThat(echo.get("scaling").get("maxWorkers").asInt()).isPositive();
    }

    @Test
    void jobsWorkersAndLogsOfAFunction() {
        hearth.deploy("echo");
        String id = hearth.post("/v2/echo/runsync", "{\"input\":\"hello logs\"}").json().get("id").asText();

        assertThat(hearth.get("/v1/functions/echo/jobs?state=COMPLETED").json().get("jobs").findValuesAsText("id"))
                .contains(id);
        assertThat(hearth.get("/v1/workers").json().get("workers").findValuesAsText("function")).contains("echo");
        assertThat(hearth.get("/v1/functions/echo/logs").body()).contains("[w-echo-");
        assertThat(hearth.get("/v1/functions/echo/events").json().get("events").toString()).contains("+1");
    }

    @Test
    void jobsOfEveryFunctionAreSearchedByFunctionStateAndSubmissionTime() {
        hearth.deploy("echo");
        hearth.deploy("fails");
        String ok = hearth.post("/v2/echo/runsync", "{\"input\":1}").json().get("id").asText();
        String failed = hearth.awaitFinal("fails", hearth.run("fails", "{}")).get("id").asText();

        JsonNode all = hearth.get("/v1/jobs?limit=1000").json().get("jobs");
        assertThat(all.findValuesAsText("id")).contains(ok, failed);
        assertThat(all.get(0).get("function").asText()).isIn("echo", "fails");
        assertThat(hearth.get("/v1/jobs?function=echo&limit=1000").json().get("jobs").findValuesAsText("function"))
                .containsOnly("echo");
        assertThat(hearth.get("/v1/jobs?state=FAILED&limit=1000").json().get("jobs").findValuesAsText("id"))
                .contains(failed).doesNotContain(ok);
        assertThat(hearth.get("/v1/jobs?since=1h").json().get("jobs").findValuesAsText("id")).contains(ok, failed);
        assertThat(hearth.get("/v1/jobs?until=2000-01-01").json().get("jobs")).isEmpty();
        assertThat(hearth.get("/v1/functions/echo/jobs?since=2999-01-01T00:00:00Z").json().get("jobs")).isEmpty();
    }

    @Test
    void aBadJobSearchIsRefusedWithWhatToFix() {
        assertThat(hearth.get("/v1/jobs?since=yesterday").status()).isEqualTo(400);
        assertThat(hearth.get("/v1/jobs?since=yesterday").body()).contains("'since' must be an instant");
        assertThat(hearth.get("/v1/jobs?since=1h&until=2h").body()).contains("must be before 'until'");
        assertThat(hearth.get("/v1/jobs?state=DONE").body()).contains("unknown state 'DONE'");
        assertThat(hearth.get("/v1/jobs?function=nothing").status()).isEqualTo(404);
    }

    @Test
    void deletingAFunctionMakesItUnknown() {
        hearth.deploy("stream");

        assertThat(hearth.delete("/v1/functions/stream").json().get("deleted").asBoolean()).isTrue();
        assertThat(hearth.post("/v2/stream/run", "{\"input\":{}}").status()).isEqualTo(404);
    }

    @Test
    void healthzNeedsNoKeyAndMetricsSpeakPrometheus() {
        hearth.deploy("echo");
        hearth.post("/v2/echo/runsync", "{\"input\":1}");

        assertThat(hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/healthz")).GET()).status())
                .isEqualTo(200);
        String metrics = hearth.get("/metrics").body();
        assertThat(metrics).contains("hearth_jobs_finished_total{function=\"echo\",status=\"COMPLETED\"}")
                .contains("hearth_job_queue_delay_seconds_bucket").contains("hearth_queue_depth{function=\"echo\"}")
                .contains("hearth_workers{function=\"echo\",state=\"ready\"}");
    }
}
