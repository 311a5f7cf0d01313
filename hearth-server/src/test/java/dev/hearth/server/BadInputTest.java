package dev.hearth.server;

import static dev.hearth.server.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every bad request gets a clear problem+json 4xx, and the server keeps serving. */
class BadInputTest {

    @RegisterExtension
    // A job's first heartbeat comes once its worker has read it: a 12 MB job (and its 12 MB result) can take longer
    // than the test default's 1.5 s lease (3 pings of 500 ms) on a loaded 2-core machine, so this class, which is
    // about body limits and not leases, runs with the production-like lease of 3 pings of 5 s.
    static final TestServer hearth = TestServer.withFunctions("echo")
            .configured(b -> b.pingInterval(java.time.Duration.ofSeconds(5)));

    @AfterEach
    void stillServing() {
        assertThat(hearth.post("/v2/echo/runsync", "{\"input\":\"ok\"}").json().get("output").asText())
                .isEqualTo("ok");
    }

    @Test
    void malformedJson() {
        assertProblem(hearth.post("/v2/echo/run", "{\"input\": "), 400, "not valid JSON");
    }

    @Test
    void missingInput() {
        assertProblem(hearth.post("/v2/echo/run", "{\"webhook\":null}"), 400, "missing 'input'");
    }

    @Test
    void emptyBody() {
        assertProblem(hearth.post("/v2/echo/run", ""), 400, "empty");
    }

    @Test
    void badPolicy() {
        assertProblem(hearth.post("/v2/echo/run", "{\"input\":1,\"policy\":{\"ttl\":\"soon\"}}"), 400,
                "policy.ttl");
    }

    @Test
    void unknownFunction() {
        assertProblem(hearth.post("/v2/ech/run", "{\"input\":1}"), 404, "deployed: echo");
    }

    @Test
    void unknownJob() {
        assertProblem(hearth.get("/v2/echo/status/job-nope"), 404, "no job 'job-nope'");
    }

    @Test
    void wrongKey() {
        TestServer.Response r = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v2/echo/run"))
                .header("Authorization", "Bearer nope").POST(HttpRequest.BodyPublishers.ofString("{\"input\":1}")));
        assertProblem(r, 401, "wrong API key");
    }

    @Test
    void missingKey() {
        TestServer.Response r = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/functions")).GET());
        assertProblem(r, 401, "missing API key");
    }

    @Test
    void theRawKeyIsAcceptedAsRunPodSendsIt() {
        TestServer.Response r = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/functions"))
                .header("Authorization", TestServer.KEY).GET());
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void oversizedRunBody() {
        String big = "{\"input\":\"" + "x".repeat(11 << 20) + "\"}";
        assertProblem(hearth.post("/v2/echo/run", big), 413, "10 MB");
    }

    @Test
    void runsyncAcceptsUpTo20MegabytesButNotMore() {
        String ok = "{\"input\":\"" + "x".repeat(12 << 20) + "\"}";
        assertThat(hearth.post("/v2/echo/runsync", ok).json().get("status").asText()).isEqualTo("COMPLETED");
        String big = "{\"input\":\"" + "x".repeat(21 << 20) + "\"}";
        assertProblem(hearth.post("/v2/echo/runsync", big), 413, "20 MB");
    }

    @Test
    void invalidManifest() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bad-manifest");
        java.nio.file.Files.writeString(dir.resolve("hearth.yaml"),
                "name: bad\nhandler: handler.py:handler\nscaling:\n  maxWorkerz: 3\n", StandardCharsets.UTF_8);
        java.nio.file.Files.writeString(dir.resolve("handler.py"), "def handler(job): return 1\n");
        TestServer.Response r = hearth.deploy(dir, "");
        assertProblem(r, 400, "unknown field 'scaling.maxWorkerz'");
    }

    @Test
    void notAZip() {
        TestServer.Response r = hearth.send(HttpRequest.newBuilder(hearth.url().resolve("/v1/functions"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
        assertProblem(r, 400, "zip");
    }

    @Test
    void unknownEndpoint() {
        assertProblem(hearth.get("/v2/echo/nope"), 404, "no such endpoint");
    }

    @Test
    void aWorkerCallWithoutAWorkerTokenIsRefused() {
        assertProblem(hearth.get("/v2/echo/job-take/w-echo-1?gpu=cpu&job_in_progress=0"), 401, "worker token");
    }
}
