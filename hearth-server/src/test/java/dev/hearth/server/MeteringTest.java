package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Usage intervals, job costs and budgets, through HTTP against real workers. */
class MeteringTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "sleepy", "gpu");

    @Test
    void aWorkersMeteredIntervalsAddUpToItsLifetimeWithinOnePercent() throws Exception {
        hearth.run("sleepy", "{\"seconds\": 1}");
        JsonNode[] worker = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode ws = hearth.get("/v1/workers?function=sleepy").json().get("workers");
            worker[0] = ws.isEmpty() ? null : ws.get(0);
            return worker[0] != null;
        });
        String id = worker[0].get("id").asText();
        Instant started = Instant.parse(worker[0].get("startedAt").asText());
        // busy 1 s, then idle for the 2 s idle timeout, then drained and stopped. The exit happened after the last
        // poll that still saw the worker was sent, and before the first that did not came back.
        Instant[] aliveAt = {Instant.now()};
        Instant[] goneBy = new Instant[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Instant sent = Instant.now();
            if (hearth.get("/v1/workers?function=sleepy").body().contains(id)) {
                aliveAt[0] = sent;
                return false;
            }
            goneBy[0] = Instant.now();
            return true;
        });

        JsonNode line = line(hearth.get("/v1/usage?function=sleepy&groupBy=worker").json(), id);
        double atLeast = Duration.between(started, aliveAt[0]).toMillis() / 1000.0;
        double atMost = Duration.between(started, goneBy[0]).toMillis() / 1000.0;
        JsonNode seconds = line.get("seconds");
        assertThat(seconds.get("total").asDouble()).isBetween(atLeast * 0.99, atMost * 1.01);
        assertThat(seconds.get("starting").asDouble()).isPositive();
        assertThat(seconds.get("busy").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(seconds.get("idle").asDouble()).isGreaterThanOrEqualTo(1.9);
        // CPU-only workers are priced per core, so they are never free
        assertThat(line.get("cost").get("total").decimalValue()).isPositive();
        assertThat(line.get("utilization").asDouble()).isBetween(0.05, 0.6);
        assertThat(hearth.get("/metrics").body())
                .contains("hearth_cost_usd_total{function=\"sleepy\",kind=\"idle\"}");
    }

    @Test
    void aJobCostsItsBusyTimeOnItsGpusAtTheCatalogPrice() throws Exception {
        String id = hearth.run("gpu", "{}");
        JsonNode done = hearth.awaitFinal("gpu", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        long busyMs = done.get("executionTime").asLong();

        JsonNode[] line = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            line[0] = line(hearth.get("/v1/usage?function=gpu&groupBy=job").json(), id);
            return line[0] != null;
        });

        assertThat(line[0].get("busyMs").asLong()).isEqualTo(busyMs);
        assertThat(line[0].get("resources").asText()).isEqualTo("1x H100");
        assertThat(line[0].get("tier").asText()).isEqualTo("on-demand");
        // the default catalog's H100 on-demand rate, $0.00116 a second
        assertThat(line[0].get("cost").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.00116").multiply(BigDecimal.valueOf(busyMs)).movePointLeft(3));

        JsonNode byFunction = line(hearth.get("/v1/usage?function=gpu").json(), "gpu");
        assertThat(byFunction.get("jobs").asInt()).isEqualTo(1);
        assertThat(byFunction.get("gpuSeconds").get("billed").asDouble())
                .isGreaterThanOrEqualTo(byFunction.get("gpuSeconds").get("busy").asDouble());
    }

    @Test
    void aBudgetUnderFiftyConcurrentSubmittersAdmitsOnlyWhatFitsAndTheRestGet402() throws Exception {
        // docs/api.md's example: echo (1 CPU core at $0.0000131 a second, 60 s timeout, no retries) costs at most
        // $0.000786 a job, and a $0.008253 limit has room for ten and a half of those
        String limit = "$0.008253";
        assertThat(hearth.send(put("/v1/budgets/functions/echo/day", "{\"limit\": 0.008253}")).status())
                .isEqualTo(200);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<TestServer.Response>> answers = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                int n = i;
                answers.add(clients.submit(() -> {
                    go.await();
                    return hearth.post("/v2/echo/run", "{\"input\":{\"n\":" + n + "}}");
                }));
            }
            go.countDown();
        }
        List<String> accepted = new ArrayList<>();
        String tomorrow = Instant.now().atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).plusDays(1).toInstant()
                .toString();
        for (Future<TestServer.Response> f : answers) {
            TestServer.Response r = f.get();
            if (r.status() == 200) {
                accepted.add(r.json().get("id").asText());
            } else {
                assertThat(r.status()).isEqualTo(402);
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.json().get("detail").asText()).contains("the daily budget of function 'echo'")
                        .contains(limit + " limit").contains("could cost up to $0.000786").contains("resets at " + tomorrow);
            }
        }
        assertThat(accepted).hasSize(10);

        // accepted jobs still complete, and their real cost stays under the limit
        for (String id : accepted) {
            assertThat(hearth.awaitFinal("echo", id).get("status").asText()).isEqualTo("COMPLETED");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> line(hearth.get("/v1/usage?function=echo").json(), "echo")
                .get("jobs").asInt() == 10);
        BigDecimal jobCost = line(hearth.get("/v1/usage?function=echo").json(), "echo").get("jobCost").decimalValue();
        assertThat(jobCost).isLessThanOrEqualTo(new BigDecimal("0.008253"));
        JsonNode budget = hearth.get("/v1/budgets").json().get("budgets").get(0);
        assertThat(budget.get("spent").decimalValue()).isLessThanOrEqualTo(new BigDecimal("0.008253"));
        assertThat(budget.get("resetsAt").asText()).isEqualTo(tomorrow);

        // settled: the reservations are gone, so the budget takes jobs again
        await().atMost(Duration.ofSeconds(10)).until(() ->
                hearth.get("/v1/budgets").json().get("budgets").get(0).get("reservedJobs").asInt() == 0);
        assertThat(hearth.post("/v2/echo/run", "{\"input\":{}}").status()).isEqualTo(200);
        assertThat(hearth.delete("/v1/budgets/functions/echo/day").status()).isEqualTo(200);
        assertThat(hearth.delete("/v1/budgets/functions/echo/day").status()).isEqualTo(404);
    }

    @Test
    void usageExportsAsCsvWithOneRowPerLineAndTheSameFigures() {
        String id = hearth.run("echo", "{}");
        hearth.awaitFinal("echo", id);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> line(hearth.get("/v1/usage?function=echo&groupBy=job").json(), id) != null);
        JsonNode json = line(hearth.get("/v1/usage?function=echo&groupBy=job").json(), id);

        TestServer.Response csv = hearth.get("/v1/usage?function=echo&groupBy=job&format=csv");

        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        String[] rows = csv.body().split("\r\n");
        List<String> header = List.of(rows[0].split(","));
        assertThat(header).startsWith("key", "function", "version").contains("cost", "busyMs");
        String row = java.util.Arrays.stream(rows).filter(r -> r.startsWith(id + ",")).findFirst().orElseThrow();
        List<String> cells = List.of(row.split(","));
        assertThat(cells.get(header.indexOf("cost"))).isEqualTo(json.get("cost").decimalValue().toPlainString());
        assertThat(cells.get(header.indexOf("busyMs"))).isEqualTo(json.get("busyMs").asText());
        assertThat(hearth.get("/v1/usage?groupBy=day&format=csv").body()).startsWith("key,cost.total,");
        assertThat(hearth.get("/v1/usage?format=xml").status()).isEqualTo(400);
    }

    @Test
    void badUsageAndBudgetRequestsSayWhatToFix() {
        assertThat(hearth.get("/v1/usage?groupBy=color").json().get("detail").asText())
                .contains("function, version, day, worker, job");
        assertThat(hearth.get("/v1/usage?from=yesterday").json().get("detail").asText())
                .contains("a duration back from now (24h, 30m)");
        assertThat(hearth.send(put("/v1/budgets/global/week", "{\"limit\": 1}")).json().get("detail").asText())
                .contains("hour, day or month");
        assertThat(hearth.send(put("/v1/budgets/global/day", "{\"limit\": -1}")).status()).isEqualTo(400);
        assertThat(hearth.send(put("/v1/budgets/global/day", "{\"limit\": 1, \"soft\": 2}")).json()
                .get("detail").asText()).contains("soft threshold must be above $0 and at most its limit");
        assertThat(hearth.send(put("/v1/budgets/functions/nope/day", "{\"limit\": 1}")).status()).isEqualTo(404);
    }

    @Test
    void moneyIsWrittenAsPlainDecimals() {
        try {
            assertThat(hearth.send(put("/v1/budgets/functions/echo/month", "{\"limit\": 20}")).body())
                    .contains("\"limit\":20,");
            // under a micro-dollar, as a short CPU job costs, BigDecimal.toString would write 7.7E-7
            assertThat(hearth.send(put("/v1/budgets/functions/echo/month", "{\"limit\": 0.00000077}")).body())
                    .contains("\"limit\":0.00000077,");
            assertThat(hearth.get("/v1/budgets").body()).contains("\"limit\":0.00000077,")
                    .doesNotContainPattern("[0-9][eE][-+]");
        } finally {
            hearth.delete("/v1/budgets/functions/echo/month");
        }
    }

    static JsonNode line(JsonNode usage, String key) {
        for (JsonNode l : usage.get("lines")) {
            if (l.get("key").asText().equals(key)) {
                return l;
            }
        }
        return null;
    }

    static java.net.http.HttpRequest.Builder put(String path, String json) {
        return java.net.http.HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json));
    }
}
