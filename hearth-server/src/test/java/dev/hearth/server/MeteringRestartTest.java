package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Usage and budgets across a restart of the control plane, and the soft-threshold webhook. */
class MeteringRestartTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("echo");

    @Test
    void aRestartKeepsUsageAndBudgets() {
        assertThat(hearth.send(put("/v1/budgets/functions/echo/month", "{\"limit\": 5, \"soft\": 4}")).status())
                .isEqualTo(200);
        assertThat(hearth.send(put("/v1/budgets/global/hour", "{\"limit\": 2}")).status()).isEqualTo(200);
        String id = hearth.run("echo", "{\"n\":1}");
        assertThat(hearth.awaitFinal("echo", id).get("status").asText()).isEqualTo("COMPLETED");
        await().atMost(Duration.ofSeconds(10)).until(() -> echo().get("jobs").asInt() == 1);
        JsonNode before = echo();

        hearth.restart();

        JsonNode after = echo();
        assertThat(after.get("jobs").asInt()).isEqualTo(1);
        assertThat(after.get("jobCost").decimalValue()).isEqualByComparingTo(before.get("jobCost").decimalValue());
        // the worker ran on until the graceful stop closed its intervals: more, never less
        assertThat(after.get("cost").get("total").decimalValue())
                .isGreaterThanOrEqualTo(before.get("cost").get("total").decimalValue());
        assertThat(after.get("seconds").get("busy").asDouble())
                .isGreaterThanOrEqualTo(before.get("seconds").get("busy").asDouble());
        JsonNode budgets = hearth.get("/v1/budgets").json().get("budgets");
        assertThat(budgets).hasSize(2);
        JsonNode monthly = budgets.get(1);
        assertThat(monthly.get("function").asText()).isEqualTo("echo");
        assertThat(monthly.get("limit").decimalValue()).isEqualByComparingTo("5");
        assertThat(monthly.get("soft").decimalValue()).isEqualByComparingTo("4");
        assertThat(monthly.get("spent").decimalValue())
                .isGreaterThanOrEqualTo(before.get("jobCost").decimalValue()).isPositive();
    }

    @Test
    void reachingTheSoftThresholdPostsToTheBudgetsWebhook() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/budget", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/budget";
            assertThat(hearth.send(put("/v1/budgets/functions/echo/day", "{\"limit\": 1, \"soft\": 0.000000001, "
                    + "\"webhook\": \"" + hook + "\"}")).status()).isEqualTo(200);
            hearth.run("echo", "{}");

            String body = received.poll(30, TimeUnit.SECONDS);
            assertThat(body).isNotNull();
            JsonNode n = TestServer.JSON.readTree(body);
            assertThat(n.get("event").asText()).isEqualTo("budget.threshold");
            assertThat(n.get("function").asText()).isEqualTo("echo");
            assertThat(n.get("period").asText()).isEqualTo("day");
            assertThat(n.get("spent").decimalValue()).isPositive();
            // once per period, not on every later interval
            assertThat(received.poll(3, TimeUnit.SECONDS)).isNull();
        } finally {
            receiver.stop(0);
        }
    }

    private JsonNode echo() {
        return MeteringTest.line(hearth.get("/v1/usage?function=echo").json(), "echo");
    }

    private java.net.http.HttpRequest.Builder put(String path, String json) {
        return java.net.http.HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json));
    }
}
