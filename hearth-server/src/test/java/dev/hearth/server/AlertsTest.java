package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Alert rules on a real server: evaluated from the jobs' figures, notified to a receiver on 127.0.0.1 with a valid
 * Standard Webhooks signature in the rule's format, recorded, and audited. The state machine's hysteresis (no
 * flapping at the threshold) is specified on a fake clock in hearth-core's AlertEvaluatorTest.
 */
class AlertsTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("sleepy");

    /** One notification as the receiver saw it, and whether its signature verified under the server's secret. */
    record Received(String id, JsonNode body, boolean verified) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    private String receiver() throws Exception {
        String secret = hearth.get("/v1/webhooks/secret").json().get("secret").asText();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = ex.getRequestHeaders().getFirst("webhook-id");
            boolean verified = SignedWebhookTest.verify(secret, id, ex.getRequestHeaders().getFirst(
                    "webhook-timestamp"), body, ex.getRequestHeaders().getFirst("webhook-signature"));
            received.add(new Received(id, TestServer.JSON.readTree(body), verified));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private String state(String rule) {
        return hearth.get("/v1/alerts/" + rule).json().get("state").asText();
    }

    @Test
    void aP95LatencyRuleFiresForASlowFunctionNotifiesSignedAndResolvesWhenLatencyFalls() throws Exception {
        String url = receiver();
        TestServer.Response created = hearth.post("/v1/alerts", "{\"name\":\"slow-sleepy\",\"function\":\"sleepy\","
                + "\"when\":\"p95 latency > 1s over 10m for 1s\",\"webhook\":\"" + url + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("state").asText()).isEqualTo("ok");

        hearth.awaitFinal("sleepy", hearth.run("sleepy", "{\"seconds\": 1.5}"));

        await().atMost(Duration.ofSeconds(20)).until(() -> state("slow-sleepy").equals("firing"));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received fired = received.getFirst();
        assertThat(fired.verified()).as("signature verifies").isTrue();
        assertThat(fired.body().get("event").asText()).isEqualTo("alert.firing");
        assertThat(fired.body().get("alert").asText()).isEqualTo("slow-sleepy");
        assertThat(fired.body().get("function").asText()).isEqualTo("sleepy");
        assertThat(fired.body().get("value").asDouble()).isGreaterThan(1.5);
        assertThat(fired.body().get("summary").asText()).startsWith("p95 latency of sleepy is ");

        // 40 quick jobs one after another: the slow one (and a cold start, were there one) falls out of the p95
        for (int i = 0; i < 40; i++) {
            assertThat(hearth.post("/v2/sleepy/runsync", "{\"input\":{\"seconds\":0}}").status()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> state("slow-sleepy").equals("resolved"));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        assertThat(received.get(1).verified()).isTrue();
        assertThat(received.get(1).body().get("event").asText()).isEqualTo("alert.resolved");
        assertThat(received.get(1).body().get("value").asDouble()).isLessThan(0.9);
        assertThat(received.get(1).id()).isNotEqualTo(fired.id());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode events = hearth.get("/v1/alerts/slow-sleepy/history").json().get("events");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).get("state").asText()).isEqualTo("resolved");
            assertThat(events.get(1).get("state").asText()).isEqualTo("firing");
            assertThat(events.get(1).get("id").asText()).isEqualTo(fired.id());
            assertThat(events).allSatisfy(e -> assertThat(e.get("notification").asText()).isEqualTo("delivered"));
        });
    }

    @Test
    void aCrashLoopFiresItsRuleAsAPagerDutyEventAndARestartResolvesIt() throws Exception {
        String url = receiver();
        assertThat(hearth.deploy("broken").status()).isEqualTo(201);
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"broken-loop\",\"function\":\"broken\","
                + "\"when\":\"crash loop\",\"webhook\":\"" + url + "\",\"format\":\"pagerduty\","
                + "\"routingKey\":\"R0UTINGKEY\"}").status()).isEqualTo(201);

        hearth.run("broken", "{}");

        await().atMost(Duration.ofSeconds(60)).until(() -> state("broken-loop").equals("firing"));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        JsonNode trigger = received.getFirst().body();
        assertThat(received.getFirst().verified()).isTrue();
        assertThat(trigger.get("routing_key").asText()).isEqualTo("R0UTINGKEY");
        assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.get("dedup_key").asText()).isEqualTo("hearth-alert-broken-loop");
        assertThat(trigger.get("payload").get("summary").asText()).contains("broken is crash looping");
        assertThat(trigger.get("payload").get("severity").asText()).isEqualTo("error");
        assertThat(trigger.get("payload").get("source").asText()).isEqualTo("hearth/broken");
        assertThat(hearth.get("/v1/alerts/broken-loop").json().has("routingKey")).isTrue();
        assertThat(hearth.get("/v1/alerts/broken-loop").json().get("routingKey").asText()).isEqualTo("set");

        assertThat(hearth.post("/v1/functions/broken/restart", "{}").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
        assertThat(received.get(1).body().get("event_action").asText()).isEqualTo("resolve");
        assertThat(received.get(1).body().get("dedup_key").asText()).isEqualTo("hearth-alert-broken-loop");
    }

    @Test
    void noFreeGpuFiresWhileJobsWaitForAGpuAndResolvesWhenTheQueueEmpties() {
        assertThat(hearth.deploy("no-gpu-here").status()).isEqualTo(201);
        hearth.post("/v1/alerts", "{\"name\":\"gpu-wait\",\"function\":\"no-gpu-here\","
                + "\"when\":\"no free gpu for 1s\"}");

        String id = hearth.run("no-gpu-here", "{}");

        await().atMost(Duration.ofSeconds(20)).until(() -> state("gpu-wait").equals("firing"));
        hearth.post("/v2/no-gpu-here/cancel/" + id, "");
        await().atMost(Duration.ofSeconds(20)).until(() -> state("gpu-wait").equals("resolved"));
        assertThat(hearth.get("/v1/alerts/gpu-wait/history").json().get("events").get(1).get("summary").asText())
                .isEqualTo("no-gpu-here has jobs waiting and no free GPU to start a worker on (no free gpu for 1s)");
    }

    @Test
    void aSlackRuleOverAllFunctionsPostsATextMessage() throws Exception {
        String url = receiver();
        hearth.post("/v1/alerts", "{\"name\":\"queue\",\"when\":\"oldest queued age >= 0s\",\"webhook\":\"" + url
                + "\",\"format\":\"slack\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

        assertThat(received.getFirst().body().get("text").asText()).contains("FIRING").contains("`queue`")
                .contains("oldest queued age of all functions is 0s");
        JsonNode listed = hearth.get("/v1/alerts?state=firing").json().get("alerts");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("function").isNull()).isTrue();
        assertThat(listed.get(0).get("valueText").asText()).isEqualTo("0s");
    }

    @Test
    void badRulesAreRefusedWithAProblemNamingWhatToFix() {
        TestServer.Response badWhen = hearth.post("/v1/alerts", "{\"name\":\"x\",\"when\":\"p96 latency > 2s\"}");
        assertThat(badWhen.status()).isEqualTo(400);
        assertThat(badWhen.contentType()).startsWith("application/problem+json");
        assertThat(badWhen.json().get("detail").asText()).contains("'when'").contains("p95 latency");

        assertThat(hearth.post("/v1/alerts", "{\"name\":\"x\",\"function\":\"nope\",\"when\":\"crash loop\"}")
                .status()).isEqualTo(404);
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"Bad Name\",\"when\":\"crash loop\"}").json()
                .get("detail").asText()).contains("'name'");
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"x\",\"when\":\"crash loop\",\"webhook\":\"ftp://x\"}")
                .json().get("detail").asText()).contains("'webhook'");
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"x\",\"when\":\"crash loop\",\"webhook\":\"https://a.b/c\","
                + "\"format\":\"pagerduty\"}").json().get("detail").asText()).contains("'routingKey' is required");
        assertThat(hearth.post("/v1/alerts", "{\"name\":\"x\",\"when\":\"crash loop\",\"severity\":\"high\"}")
                .json().get("detail").asText()).contains("unknown field 'severity'");
        assertThat(hearth.get("/v1/alerts").json().get("alerts")).isEmpty();
    }

    @Test
    void eachAlertChangeIsInTheAuditLogWithItsKeyAndNeverTheRoutingKey() {
        hearth.post("/v1/alerts", "{\"name\":\"slow\",\"function\":\"sleepy\",\"when\":\"p95 latency > 2s for 5m\","
                + "\"webhook\":\"https://events.example.com/x\",\"format\":\"pagerduty\","
                + "\"routingKey\":\"SECRETKEY\"}");
        hearth.post("/v1/alerts", "{\"name\":\"slow\",\"function\":\"sleepy\",\"when\":\"p99 latency > 3s\"}");
        assertThat(hearth.delete("/v1/alerts/slow").status()).isEqualTo(200);
        assertThat(hearth.get("/v1/alerts/slow").status()).isEqualTo(404);

        JsonNode entries = hearth.get("/v1/audit?limit=10").json().get("entries");

        assertThat(entries.get(0).get("action").asText()).isEqualTo("alert.delete");
        assertThat(entries.get(0).get("target").asText()).isEqualTo("slow");
        assertThat(entries.get(1).get("action").asText()).isEqualTo("alert.set");
        assertThat(entries.get(1).get("change").asText()).contains("p99 latency > 3s");
        assertThat(entries.get(2).get("action").asText()).isEqualTo("alert.set");
        assertThat(entries.get(2).get("change").asText()).contains("p95 latency > 2s over 5m for 5m")
                .contains("pagerduty").doesNotContain("SECRETKEY");
        assertThat(entries).allSatisfy(e -> assertThat(e.get("key").asText()).isEqualTo("admin"));

        hearth.post("/v1/alerts", "{\"name\":\"refused\",\"function\":\"nope\",\"when\":\"crash loop\","
                + "\"webhook\":\"https://events.example.com/x\",\"format\":\"pagerduty\","
                + "\"routingKey\":\"SECRETKEY\"}");
        JsonNode refused = hearth.get("/v1/audit?action=alert.set&limit=1").json().get("entries").get(0);
        assertThat(refused.get("status").asInt()).isEqualTo(404);
        assertThat(refused.get("target").asText()).isEqualTo("refused");
        assertThat(refused.get("change").asText()).contains("\"routingKey\":\"***\"").doesNotContain("SECRETKEY");
    }

    @Test
    void rulesSurviveARestartAndExportAsPrometheusRules() {
        hearth.post("/v1/alerts", "{\"name\":\"slow\",\"function\":\"sleepy\",\"when\":\"p95 latency > 2s for 5m\"}");
        hearth.post("/v1/alerts", "{\"name\":\"gpu\",\"function\":\"sleepy\",\"when\":\"no free gpu for 10m\"}");

        hearth.restart();

        assertThat(hearth.get("/v1/alerts").json().get("alerts")).hasSize(2);
        TestServer.Response export = hearth.get("/v1/alerts?format=prometheus");
        assertThat(export.contentType()).startsWith("application/yaml");
        assertThat(export.body()).contains("# not exported: gpu: no free gpu has no Prometheus metric")
                .contains("hearth_job_end_to_end_seconds_bucket{function=\\\"sleepy\\\"}[5m]").contains("for: 5m");

        // every metric the export names is one the server exports, once a job ran and its cost was counted
        hearth.awaitFinal("sleepy", hearth.run("sleepy", "{\"seconds\": 0}"));
        hearth.post("/v1/alerts", "{\"name\":\"all\",\"when\":\"failure rate > 5%\"}");
        hearth.post("/v1/alerts", "{\"name\":\"cold\",\"when\":\"cold start share > 50%\"}");
        hearth.post("/v1/alerts", "{\"name\":\"delay\",\"when\":\"p95 queue delay > 1s\"}");
        hearth.post("/v1/alerts", "{\"name\":\"queue\",\"when\":\"queue age > 1m\"}");
        hearth.post("/v1/alerts", "{\"name\":\"spend\",\"when\":\"spend rate > $1/h\"}");
        hearth.post("/v1/alerts", "{\"name\":\"loop\",\"when\":\"crash loop\"}");
        String rules = hearth.get("/v1/alerts?format=prometheus").body();
        java.util.Set<String> named = new java.util.TreeSet<>();
        for (String expr : rules.lines().filter(l -> l.trim().startsWith("expr:")).toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("hearth_[a-z_]+").matcher(expr);
            while (m.find()) {
                named.add(m.group().replaceAll("_bucket$", "_bucket{"));
            }
        }
        assertThat(named).hasSize(7);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = hearth.get("/metrics").body();
            assertThat(named).allSatisfy(name -> assertThat(metrics).as(name).contains("\n" + name));
        });
    }
}
