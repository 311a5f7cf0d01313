package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replicate's HTTP API on Hearth functions: a prediction is a job, shown as Replicate shows it. */
class ReplicateApiTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "sleepy", "stream", "chatty", "fails", "files");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestServer.Response create(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return hearth.send(b);
    }

    private JsonNode awaitStatus(String id, String status) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> hearth.get("/v1/predictions/" + id).json(),
                p -> p.path("status").asText().equals(status));
    }

    @Test
    void aModelPredictionWithPreferWaitAnswersTheFinishedPredictionAndIsAHearthJob() {
        TestServer.Response r = create("/v1/models/acme/echo/predictions", "{\"input\":{\"text\":\"hi\"}}",
                "Prefer", "wait");
        assertThat(r.status()).isEqualTo(201);
        JsonNode p = r.json();
        assertThat(p.path("status").asText()).isEqualTo("succeeded");
        assertThat(p.path("model").asText()).isEqualTo("acme/echo");
        assertThat(p.path("version").asText()).matches("[0-9a-f]{64}");
        assertThat(p.path("output").path("text").asText()).isEqualTo("hi");
        assertThat(p.path("input").path("text").asText()).isEqualTo("hi");
        assertThat(p.path("error").isNull()).isTrue();
        assertThat(p.path("metrics").path("predict_time").isNumber()).isTrue();
        assertThat(p.path("metrics").path("total_time").asDouble()).isGreaterThanOrEqualTo(
                p.path("metrics").path("predict_time").asDouble());
        assertThat(p.path("created_at").asText()).isNotEmpty();
        assertThat(p.path("completed_at").asText()).isNotEmpty();
        String id = p.path("id").asText();
        assertThat(p.path("urls").path("get").asText()).isEqualTo(hearth.url() + "/v1/predictions/" + id);
        assertThat(p.path("urls").path("cancel").asText()).endsWith("/v1/predictions/" + id + "/cancel");
        assertThat(hearth.get("/v2/echo/status/" + id).json().path("status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void aVersionIsNamedByOwnerAndNameByItsIdOrByNumber() {
        String sha = hearth.get("/v1/models/acme/echo").json().path("latest_version").path("id").asText();
        for (String version : List.of("acme/echo", "acme/echo:" + sha, sha, "echo:1")) {
            TestServer.Response r = create("/v1/predictions", "{\"version\":\"" + version + "\",\"input\":{\"v\":1}}",
                    "Prefer", "wait=30");
            assertThat(r.status()).as(version).isEqualTo(201);
            assertThat(r.json().path("status").asText()).as(version).isEqualTo("succeeded");
            assertThat(r.json().path("version").asText()).as(version).isEqualTo(sha);
        }
    }

    @Test
    void badInputIsAReplicateStyleError() {
        for (TestServer.Response r : List.of(
                create("/v1/predictions", "{\"version\":\"nope\",\"input\":{}}"),
                create("/v1/predictions", "{\"input\":{}}"),
                create("/v1/models/acme/echo/predictions", "{\"input\":\"text\"}"),
                create("/v1/models/acme/echo/predictions", "{\"input\":{}}", "Prefer", "wait=61"),
                create("/v1/models/acme/echo/predictions", "{\"input\":{}}", "Cancel-After", "2s"),
                create("/v1/models/acme/echo/predictions", "{\"input\":{},\"webhook_events_filter\":[\"end\"]}"),
                create("/v1/predictions", "{\"version\":\"echo:7\",\"input\":{}}"))) {
            assertThat(r.status()).as(r.body()).isBetween(400, 422);
            JsonNode e = r.json();
            assertThat(e.path("title").asText()).isNotEmpty();
            assertThat(e.path("detail").asText()).isNotEmpty();
            assertThat(e.path("status").asInt()).isEqualTo(r.status());
        }
        assertThat(create("/v1/models/acme/nosuch/predictions", "{\"input\":{}}").status()).isEqualTo(404);
    }

    @Test
    void aWaitThatRunsOutAnswersTheUnfinishedPredictionAsStartingAndCancelEndsIt() {
        TestServer.Response r = create("/v1/models/acme/sleepy/predictions", "{\"input\":{\"seconds\":30}}",
                "Prefer", "wait=1");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().path("status").asText()).isEqualTo("starting"); // what makes the clients poll
        String id = r.json().path("id").asText();
        awaitStatus(id, "processing");
        TestServer.Response c = hearth.post("/v1/predictions/" + id + "/cancel", "");
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.json().path("status").asText()).isEqualTo("canceled");
    }

    @Test
    void cancelAfterCancelsAPredictionStillRunningThen() {
        TestServer.Response r = create("/v1/models/acme/sleepy/predictions", "{\"input\":{\"seconds\":60}}",
                "Cancel-After", "5s");
        JsonNode p = awaitStatus(r.json().path("id").asText(), "canceled");
        assertThat(p.path("completed_at").asText()).isNotEmpty();
    }

    @Test
    void aFailedPredictionCarriesTheErrorAndTheLogsAreTheJobsOwnLines() {
        JsonNode failed = create("/v1/models/acme/fails/predictions", "{\"input\":{}}", "Prefer", "wait").json();
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).contains("boom");
        JsonNode chatty = create("/v1/models/acme/chatty/predictions",
                "{\"input\":{\"lines\":[\"first line\",\"second line\"]}}", "Prefer", "wait").json();
        JsonNode p = hearth.get("/v1/predictions/" + chatty.path("id").asText()).json();
        assertThat(p.path("logs").asText()).contains("first line\n").contains("second line\n");
    }

    @Test
    void theStreamUrlServesServerSentEventsWithoutAKeyForItsPredictionOnly() throws Exception {
        JsonNode p = create("/v1/models/acme/stream/predictions", "{\"input\":{\"n\":3,\"delay\":0.2}}").json();
        String url = p.path("urls").path("stream").asText();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(r.body()).contains("event: output\ndata: {\"i\":0}\n\n")
                .contains("event: output\ndata: {\"i\":2}\n\n").endsWith("event: done\ndata: {}\n\n");
        String other = create("/v1/models/acme/echo/predictions", "{\"input\":{}}").json().path("id").asText();
        String forged = url.replace(p.path("id").asText(), other);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(forged)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
    }

    @Test
    void aFailedStreamSendsAnErrorThenDone() throws Exception {
        JsonNode p = create("/v1/models/acme/fails/predictions", "{\"input\":{}}").json();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.path("urls").path("stream").asText()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).contains("event: error\ndata: {\"detail\":").contains("boom")
                .endsWith("event: done\ndata: {\"reason\":\"error\"}\n\n");
    }

    @Test
    void webhooksGetTheEventsTheFilterAsksForSigned() throws Exception {
        String secret = hearth.get("/v1/webhooks/default/secret").json().path("key").asText();
        assertThat(secret).startsWith("whsec_");
        List<String[]> got = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean ok = SignedWebhookTest.verify(secret, ex.getRequestHeaders().getFirst("webhook-id"),
                    ex.getRequestHeaders().getFirst("webhook-timestamp"), body,
                    ex.getRequestHeaders().getFirst("webhook-signature"));
            got.add(new String[] {ex.getRequestHeaders().getFirst("webhook-id"), body, Boolean.toString(ok)});
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            String id = create("/v1/models/acme/stream/predictions", "{\"input\":{\"n\":4,\"delay\":0.4},\"webhook\":\""
                    + hook + "\",\"webhook_events_filter\":[\"start\",\"output\",\"completed\"]}").json()
                    .path("id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> got.stream().anyMatch(g -> g[0].contains("completed")));
            assertThat(got).allMatch(g -> g[2].equals("true"));
            assertThat(got.getFirst()[0]).contains("_start_");
            assertThat(got.getLast()[0]).contains("_completed_");
            JsonNode last = TestServer.JSON.readTree(got.getLast()[1]);
            assertThat(last.path("id").asText()).isEqualTo(id);
            assertThat(last.path("status").asText()).isEqualTo("succeeded");
            assertThat(last.path("output")).hasSize(4);
            assertThat(got).anyMatch(g -> g[0].contains("_output_"));
            assertThat(got).noneMatch(g -> g[0].contains("_logs_"));
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void anUploadedFileIsAnInputByItsUrlAndAWrittenFileIsAnOutputUrl() throws Exception {
        byte[] content = "hello, file".getBytes(StandardCharsets.UTF_8);
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello, file\r\n--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"k\":\"v\"}\r\n--" + boundary + "--\r\n";
        TestServer.Response up = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/files"))
                .header("Authorization", "Bearer " + TestServer.KEY)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().path("size").asInt()).isEqualTo(content.length);
        assertThat(up.json().path("metadata").path("k").asText()).isEqualTo("v");
        String url = up.json().path("urls").path("get").asText();
        HttpResponse<byte[]> fetched = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.body()).isEqualTo(content);
        // a page a client uploads must not run on the dashboard's origin
        assertThat(fetched.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("sandbox");
        assertThat(fetched.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        JsonNode p = create("/v1/models/acme/files/predictions", "{\"input\":{\"url\":\"" + url
                + "\",\"write\":\"written by the function\"}}", "Prefer", "wait").json();
        assertThat(p.path("status").asText()).as(p.toString()).isEqualTo("succeeded");
        assertThat(p.path("output").path("sha256").asText()).isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        String out = p.path("output").path("file").asText();
        assertThat(out).startsWith(hearth.url() + "/v1/files/");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(out)).build(), HttpResponse.BodyHandlers.ofString())
                .body()).isEqualTo("written by the function");
    }

    @Test
    void aPathInTheInputIsNeverServedAsAFile() {
        JsonNode p = create("/v1/models/acme/echo/predictions", "{\"input\":{\"path\":\"/etc/hostname\"}}",
                "Prefer", "wait").json();
        assertThat(p.path("output").path("path").asText()).isEqualTo("/etc/hostname");
    }

    @Test
    void theModelAndItsVersionsWithTheirSchema() {
        JsonNode m = hearth.get("/v1/models/acme/echo").json();
        assertThat(m.path("owner").asText()).isEqualTo("acme");
        assertThat(m.path("name").asText()).isEqualTo("echo");
        JsonNode v = m.path("latest_version");
        assertThat(v.path("id").asText()).matches("[0-9a-f]{64}");
        assertThat(v.has("openapi_schema")).isTrue();
        assertThat(v.path("openapi_schema").isNull()).isTrue();
        JsonNode versions = hearth.get("/v1/models/acme/echo/versions").json();
        assertThat(versions.path("results").get(0).path("id").asText()).isEqualTo(v.path("id").asText());
        assertThat(hearth.get("/v1/models/acme/echo/versions/" + v.path("id").asText()).json().path("id").asText())
                .isEqualTo(v.path("id").asText());
        assertThat(hearth.get("/v1/models/acme/echo/versions/" + "0".repeat(64)).status()).isEqualTo(404);
    }

    @Test
    void theListIsNewestFirstAHundredAPageWithAnAbsoluteNext() {
        String after = java.time.Instant.now().minusMillis(1).toString();
        for (int i = 0; i < 101; i++) {
            create("/v1/models/acme/echo/predictions", "{\"input\":{\"i\":" + i + "}}");
        }
        JsonNode page = hearth.get("/v1/predictions?created_after=" + after).json();
        assertThat(page.path("results")).hasSize(100);
        assertThat(page.path("results").get(0).path("input").path("i").asInt()).isEqualTo(100);
        String next = page.path("next").asText();
        assertThat(next).startsWith(hearth.url() + "/v1/predictions?");
        JsonNode second = hearth.get(URI.create(next).getRawPath() + "?" + URI.create(next).getRawQuery()).json();
        assertThat(second.path("results")).hasSize(1);
        assertThat(second.path("results").get(0).path("input").path("i").asInt()).isEqualTo(0);
        assertThat(second.path("next").isNull()).isTrue();
    }

    @Test
    void anInvokeKeyForOneFunctionPredictsWithItOnlyAndAReadKeyOnlyReads() {
        String invoke = hearth.post("/v1/keys", "{\"name\":\"rep-invoke\",\"scope\":\"invoke\",\"functions\":[\"echo\"]}")
                .json().path("key").asText();
        String read = hearth.post("/v1/keys", "{\"name\":\"rep-read\",\"scope\":\"read\"}").json().path("key").asText();
        TestServer.Response mine = withKey(invoke, "/v1/models/acme/echo/predictions", "{\"input\":{}}");
        assertThat(mine.status()).isEqualTo(201);
        assertThat(withKey(invoke, "/v1/models/acme/sleepy/predictions", "{\"input\":{}}").status()).isEqualTo(403);
        assertThat(withKey(invoke, "/v1/predictions", "{\"version\":\"acme/sleepy\",\"input\":{}}").status())
                .isEqualTo(404);
        assertThat(withKey(read, "/v1/models/acme/echo/predictions", "{\"input\":{}}").status()).isEqualTo(403);
        assertThat(hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/predictions/"
                + mine.json().path("id").asText())).header("Authorization", "Bearer " + read)).status()).isEqualTo(200);
        assertThat(hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/predictions"))).status())
                .isEqualTo(401);
    }

    private TestServer.Response withKey(String key, String path, String body) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve(path)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
