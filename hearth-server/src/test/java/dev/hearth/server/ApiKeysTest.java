package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keys with scopes, through real HTTP: what each scope may do, revocation, and that only hashes are stored. */
class ApiKeysTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "sleepy");

    @Test
    void anInvokeKeyForOneFunctionCallsItButNoOtherFunctionAndNothingElse() {
        String key = create("{\"name\":\"app\",\"scope\":\"invoke\",\"functions\":[\"echo\"]}").get("key").asText();

        assertThat(as(key, "POST", "/v2/echo/runsync", "{\"input\":{\"a\":1}}").json().get("status").asText())
                .isEqualTo("COMPLETED");
        TestServer.Response other = as(key, "POST", "/v2/sleepy/run", "{\"input\":{}}");
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.json().get("detail").asText()).contains("a key for function 'sleepy'")
                .contains("this one is for echo");
        assertThat(as(key, "GET", "/v1/functions", null).status()).isEqualTo(403);
        assertThat(as(key, "GET", "/v1/keys", null).status()).isEqualTo(403);
    }

    @Test
    void byTheJobIdAloneAnInvokeKeyForOneFunctionReachesOnlyItsJobs() {
        String key = create("{\"name\":\"echo-app\",\"scope\":\"invoke\",\"functions\":[\"echo\"]}")
                .get("key").asText();
        String mine = as(key, "POST", "/v2/echo/run", "{\"input\":{}}").json().get("id").asText();
        String other = hearth.run("sleepy", "{\"seconds\":30}");

        assertThat(as(key, "GET", "/v1/jobs/" + mine, null).json().get("function").asText()).isEqualTo("echo");
        assertThat(as(key, "POST", "/v1/jobs/" + mine + "/cancel", null).status()).isEqualTo(200);
        TestServer.Response cancelOther = as(key, "POST", "/v1/jobs/" + other + "/cancel", null);
        assertThat(cancelOther.status()).isEqualTo(404);
        assertThat(cancelOther.json().get("detail").asText()).contains("the functions this key is for (echo)");
        assertThat(as(key, "GET", "/v1/jobs/" + other, null).status()).isEqualTo(404);
        assertThat(hearth.status("sleepy", other).get("status").asText()).isNotEqualTo("CANCELLED");
        hearth.post("/v1/jobs/" + other + "/cancel", "");
    }

    @Test
    void aReadKeyReadsButChangesNothing() {
        String key = create("{\"name\":\"viewer\",\"scope\":\"read\"}").get("key").asText();
        String id = hearth.run("echo", "{}");

        assertThat(as(key, "GET", "/v1/functions", null).status()).isEqualTo(200);
        assertThat(as(key, "GET", "/v2/echo/status/" + id, null).status()).isEqualTo(200);
        assertThat(as(key, "GET", "/metrics", null).status()).isEqualTo(200);
        TestServer.Response run = as(key, "POST", "/v2/echo/run", "{\"input\":{}}");
        assertThat(run.status()).isEqualTo(403);
        assertThat(run.json().get("detail").asText()).contains("the read key 'viewer' may not POST /v2/echo/run")
                .contains("a key of scope invoke");
        assertThat(as(key, "DELETE", "/v1/functions/echo", null).status()).isEqualTo(403);
        assertThat(as(key, "GET", "/v1/jobs/" + id, null).status()).isEqualTo(200);
        assertThat(as(key, "POST", "/v1/jobs/" + id + "/cancel", null).status()).isEqualTo(403);
        assertThat(as(key, "GET", "/v1/whoami", null).json().get("scope").asText()).isEqualTo("read");
    }

    @Test
    void aDeployKeyDeploysAndInvokesButCannotManageKeysOrNodes() {
        String key = create("{\"name\":\"deployer\",\"scope\":\"deploy\"}").get("key").asText();

        TestServer.Response scale = as(key, "PATCH", "/v1/functions/echo/scaling", "{\"maxWorkers\":3}");
        assertThat(scale.status()).isEqualTo(200);
        assertThat(as(key, "POST", "/v2/echo/runsync", "{\"input\":1}").json().get("status").asText())
                .isEqualTo("COMPLETED");
        assertThat(as(key, "POST", "/v1/keys", "{\"name\":\"x\",\"scope\":\"admin\"}").status()).isEqualTo(403);
        assertThat(as(key, "POST", "/v1/nodes/local/drain", "").status()).isEqualTo(403);
    }

    @Test
    void aRevokedKeyIsRefusedFromTheNextRequestOn() {
        JsonNode made = create("{\"name\":\"temp\",\"scope\":\"read\"}");
        String key = made.get("key").asText();
        assertThat(as(key, "GET", "/v1/functions", null).status()).isEqualTo(200);

        assertThat(hearth.delete("/v1/keys/" + made.get("id").asText()).json().get("revoked").asBoolean()).isTrue();

        assertThat(as(key, "GET", "/v1/functions", null).status()).isEqualTo(401);
        assertThat(hearth.get("/v1/keys").json().get("keys").findValuesAsText("name")).doesNotContain("temp");
    }

    @Test
    void keysSurviveARestartAndOnlyTheirHashesAreStored() throws IOException {
        String key = create("{\"name\":\"kept\",\"scope\":\"read\"}").get("key").asText();

        hearth.restart();

        assertThat(as(key, "GET", "/v1/functions", null).status()).isEqualTo(200);
        JsonNode listed = hearth.get("/v1/keys").json().get("keys");
        assertThat(listed.toString()).doesNotContain(key).doesNotContain("sha256");
        try (Stream<Path> files = Files.walk(hearth.dataDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                        .doesNotContain(key);
            }
        }
    }

    @Test
    void badKeyRequestsAreRefusedWithWhatToFix() {
        assertThat(hearth.post("/v1/keys", "{\"name\":\"a\",\"scope\":\"root\"}").json().get("detail").asText())
                .contains("'scope' must be one of read, invoke, deploy, admin");
        assertThat(hearth.post("/v1/keys", "{\"name\":\"b\",\"scope\":\"read\",\"functions\":[\"echo\"]}").status())
                .isEqualTo(400);
        assertThat(hearth.post("/v1/keys", "{\"name\":\"bad name!\",\"scope\":\"read\"}").status()).isEqualTo(400);
        assertThat(hearth.post("/v1/keys", "{\"name\":\"c\",\"scope\":\"read\",\"extra\":1}").status())
                .isEqualTo(400);
        create("{\"name\":\"twice\",\"scope\":\"read\"}");
        assertThat(hearth.post("/v1/keys", "{\"name\":\"twice\",\"scope\":\"read\"}").status()).isEqualTo(409);
        assertThat(hearth.delete("/v1/keys/nobody").status()).isEqualTo(404);
    }

    private static JsonNode create(String json) {
        TestServer.Response r = hearth.post("/v1/keys", json);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static TestServer.Response as(String key, String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return hearth.send(b);
    }
}
