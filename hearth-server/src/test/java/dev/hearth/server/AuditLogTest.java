package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every management action lands in the audit log with the key that made it, its change and its outcome. */
class AuditLogTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo").onGpus("node-a=H100:1");

    @Test
    void eachManagementActionIsRecordedWithTheKeyThatMadeIt() {
        String deployer = key("{\"name\":\"deployer\",\"scope\":\"deploy\"}");
        hearth.deploy("echo");
        as(deployer, "PATCH", "/v1/functions/echo/scaling", "{\"maxWorkers\":3}");
        as(deployer, "DELETE", "/v1/functions/echo/scaling", null);
        hearth.deploy(TestServer.fixtureDir("echo"), "?canary=10");
        hearth.post("/v1/functions/echo/canary", "{\"percent\":20}");
        hearth.post("/v1/functions/echo/promote", "");
        hearth.post("/v1/functions/echo/rollback", "");
        hearth.post("/v1/nodes/node-a/drain?grace=1s", "");
        hearth.post("/v1/nodes/node-a/undrain", "");
        hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/budgets/functions/echo/day"))
                .header("Authorization", "Bearer " + TestServer.KEY)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\":5}")));
        hearth.delete("/v1/budgets/functions/echo/day");
        hearth.post("/v2/echo/purge-queue", "");
        hearth.delete("/v1/keys/deployer");

        List<String> actions = new ArrayList<>();
        hearth.get("/v1/audit?limit=1000").json().get("entries").forEach(e -> actions.add(
                e.get("key").asText() + " " + e.get("action").asText()));
        assertThat(actions.reversed()).containsSubsequence("admin key.create", "admin deploy", "deployer scale",
                "deployer scale.reset", "admin deploy", "admin canary", "admin promote", "admin rollback",
                "admin node.drain", "admin node.undrain", "admin budget.set", "admin budget.remove", "admin purge",
                "admin key.revoke");
    }

    @Test
    void aChangeIsRecordedBeforeAndAfterWithTheCallersAddress() {
        hearth.post("/v1/functions/echo/scaling", "{\"idleTimeout\":\"45s\"}");

        JsonNode e = hearth.get("/v1/audit?action=scale&limit=1").json().get("entries").get(0);

        assertThat(e.get("function").asText()).isEqualTo("echo");
        assertThat(e.get("change").asText()).contains("\"idleTimeout\":\"2s\"").contains(" -> ")
                .contains("\"idleTimeout\":\"45s\"");
        assertThat(e.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(e.get("status").asInt()).isEqualTo(200);
        assertThat(e.get("outcome").asText()).isEqualTo("ok");
    }

    @Test
    void aRefusedActionIsRecordedWithWhyAndReadsAreNot() {
        String reader = key("{\"name\":\"reader\",\"scope\":\"read\"}");
        as(reader, "GET", "/v1/functions", null);
        as(reader, "DELETE", "/v1/functions/echo", null);
        hearth.post("/v1/nodes/nowhere/drain", "");

        JsonNode entries = hearth.get("/v1/audit?key=reader").json().get("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("action").asText()).isEqualTo("delete");
        assertThat(entries.get(0).get("status").asInt()).isEqualTo(403);
        assertThat(entries.get(0).get("outcome").asText()).contains("may not DELETE /v1/functions/echo");
        JsonNode drain = hearth.get("/v1/audit?action=node.drain&limit=1").json().get("entries").get(0);
        assertThat(drain.get("target").asText()).isEqualTo("nowhere");
        assertThat(drain.get("status").asInt()).isEqualTo(404);
        assertThat(as(reader, "GET", "/v1/audit", null).status()).isEqualTo(403);
    }

    @Test
    void theLogSurvivesARestart() {
        hearth.post("/v1/functions/echo/scaling", "{\"maxWorkers\":2}");
        int before = hearth.get("/v1/audit?limit=1000").json().get("entries").size();

        hearth.restart();

        assertThat(hearth.get("/v1/audit?limit=1000").json().get("entries").size()).isEqualTo(before);
    }

    private static String key(String json) {
        TestServer.Response r = hearth.post("/v1/keys", json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("key").asText();
    }

    private static TestServer.Response as(String key, String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + key).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return hearth.send(b);
    }
}
