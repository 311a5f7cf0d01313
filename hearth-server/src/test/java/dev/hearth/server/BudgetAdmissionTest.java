package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Budget admission on {@code /runsync} and {@code /retry}, not only {@code /run}: a job that could cost more than the
 * budget has left is refused with 402 before anything runs. The fixtures run on 1 CPU core with a 60 s timeout and no
 * retries, so each job may cost up to $0.000786 (docs/api.md); a $0.0005 limit has room for none.
 */
class BudgetAdmissionTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("echo", "fails");

    @Test
    void runsyncIsRefusedWhenTheJobCouldOverrunTheBudget() {
        budget("echo", "0.0005");

        TestServer.Response r = hearth.post("/v2/echo/runsync", "{\"input\":1}");

        assertThat(r.status()).isEqualTo(402);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains("the daily budget of function 'echo'")
                .contains("$0.0005 limit").contains("could cost up to $0.000786");
        assertThat(hearth.workerCount("echo")).as("nothing started for a refused job").isZero();
        assertThat(hearth.get("/v2/echo/health").json().get("jobs").get("inQueue").asInt()).isZero();
    }

    @Test
    void retryIsRefusedWhenTheJobCouldOverrunTheBudgetAndTheJobStaysFailed() {
        String id = hearth.run("fails", "{}");
        JsonNode failed = hearth.awaitFinal("fails", id);
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        budget("fails", "0.0005");

        TestServer.Response refused = hearth.post("/v2/fails/retry/" + id, "");

        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.json().get("detail").asText()).contains("the daily budget of function 'fails'");
        assertThat(hearth.status("fails", id)).as("untouched by the refused retry").isEqualTo(failed);

        budget("fails", "0.01");
        JsonNode retried = hearth.post("/v2/fails/retry/" + id, "").json();
        assertThat(retried.get("status").asText()).isEqualTo("IN_QUEUE");
        JsonNode failedAgain = hearth.awaitFinal("fails", id);
        assertThat(failedAgain.get("status").asText()).isEqualTo("FAILED");
        assertThat(Instant.parse(failedAgain.get("completedAt").asText()))
                .isAfter(Instant.parse(failed.get("completedAt").asText()));
    }

    private void budget(String function, String limit) {
        TestServer.Response r = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/budgets/functions/"
                        + function + "/day")).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\": " + limit + "}")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
}
