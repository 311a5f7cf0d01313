package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HearthTest {

    private final ScriptedPeer peer = new ScriptedPeer();
    private final Hearth hearth = Hearth.connect(URI.create(peer.url() + "/"), "hk_test");

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        hearth.close();
        peer.close();
    }

    @Test
    void deployUploadsTheDirectoryAsAZipWithTheManifestAtTheRoot() throws IOException {
        Path fn = Files.createDirectories(dir.resolve("echo"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: echo\nhandler: handler.py:handler\n");
        Files.writeString(fn.resolve("handler.py"), "def handler(job): return job['input']\n");
        Files.createDirectories(fn.resolve("lib/sub"));
        Files.writeString(fn.resolve("lib/sub/util.py"), "X = 1\n");
        for (String skipped : List.of(".git", "__pycache__", ".hearth", "target", "node_modules", "lib/__pycache__")) {
            Files.createDirectories(fn.resolve(skipped));
            Files.writeString(fn.resolve(skipped).resolve("junk"), "junk");
        }
        peer.on("POST /v1/functions", 201,
                """
                {"name":"echo","version":2,"bundleSha256":"abc123","deployedAt":"2025-01-01T00:00:00Z"}""");

        Deployment d = hearth.deploy(fn.resolve("hearth.yaml"));

        assertThat(d).isEqualTo(new Deployment("echo", 2, "abc123"));
        ScriptedPeer.Request r = peer.only("POST /v1/functions");
        assertThat(r.header("Content-Type")).isEqualTo("application/zip");
        assertThat(r.header("Authorization")).isEqualTo("Bearer hk_test");
        Map<String, String> entries = unzip(r.body());
        assertThat(entries.keySet()).containsExactly("hearth.yaml", "handler.py", "lib/sub/util.py");
        assertThat(entries.get("hearth.yaml")).startsWith("name: echo");
    }

    @Test
    void aManifestWithAnotherNameReplacesTheDirectorysHearthYaml() throws IOException {
        Files.writeString(dir.resolve("hearth.yaml"), "name: dev\n");
        Files.writeString(dir.resolve("prod.yaml"), "name: prod\n");
        Files.writeString(dir.resolve("main.py"), "pass\n");
        peer.on("POST /v1/functions", 201, "{\"name\":\"prod\",\"version\":1,\"bundleSha256\":\"x\"}");

        hearth.deploy(dir.resolve("prod.yaml"));

        Map<String, String> entries = unzip(peer.only("POST /v1/functions").body());
        assertThat(entries).containsOnlyKeys("hearth.yaml", "main.py").containsEntry("hearth.yaml", "name: prod\n");
    }

    @Test
    void aDeployPassesOnItsProgressLinesAndReturnsTheDeployedVersion() throws IOException {
        Files.writeString(dir.resolve("hearth.yaml"), "name: ml\nhandler: h.py:f\npython: {requirements: [numpy]}\n");
        peer.on("POST /v1/functions", 200, "application/x-ndjson", """
                {"progress":"Python environment 0123456789abcdef: building in /data/envs/0123456789abcdef"}
                {"progress":"Successfully installed numpy-1.26.4"}
                {"deployed":{"name":"ml","version":4,"bundleSha256":"abc"}}
                """);
        List<String> progress = new java.util.ArrayList<>();

        Deployment d = hearth.deploy(dir.resolve("hearth.yaml"), progress::add);

        assertThat(d).isEqualTo(new Deployment("ml", 4, "abc"));
        assertThat(progress).containsExactly("Python environment 0123456789abcdef: building in "
                + "/data/envs/0123456789abcdef", "Successfully installed numpy-1.26.4");
        assertThat(peer.only("POST /v1/functions").header("Accept")).startsWith("application/x-ndjson");
    }

    @Test
    void aDeployWhoseProgressEndsInAProblemThrowsIt() throws IOException {
        Files.writeString(dir.resolve("hearth.yaml"), "name: ml\nhandler: h.py:f\n");
        peer.on("POST /v1/functions", 200, "application/x-ndjson", """
                {"progress":"ERROR: No matching distribution found for nosuch"}
                {"problem":{"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"pip install \
                exited with 1: No matching distribution found for nosuch"}}
                """);

        assertThatThrownBy(() -> hearth.deploy(dir.resolve("hearth.yaml")))
                .isInstanceOfSatisfying(HearthApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.detail()).contains("No matching distribution found for nosuch");
                });
    }

    @Test
    void theSameDirectoryZipsToTheSameBytes() throws IOException {
        Files.writeString(dir.resolve("hearth.yaml"), "name: a\n");
        Files.writeString(dir.resolve("a.py"), "pass\n");
        byte[] first = Bundle.zip(dir.resolve("hearth.yaml"));
        Files.setLastModifiedTime(dir.resolve("a.py"), java.nio.file.attribute.FileTime.from(Instant.now()));

        assertThat(Bundle.zip(dir.resolve("hearth.yaml"))).isEqualTo(first);
    }

    @Test
    void deployingAMissingManifestSaysSo() {
        assertThatThrownBy(() -> hearth.deploy(dir.resolve("nope.yaml")))
                .isInstanceOf(HearthClientException.class).hasMessageContaining("no manifest at");
        assertThat(peer.requests).isEmpty();
    }

    @Test
    void problemJsonBecomesAnApiExceptionWithStatusAndDetail() {
        peer.on("DELETE /v1/functions/ech", 404, """
                {"type":"about:blank","title":"Not Found","status":404,
                 "detail":"function 'ech' is not deployed; deployed: echo"}""");

        assertThatThrownBy(() -> hearth.deleteFunction("ech"))
                .isInstanceOfSatisfying(HearthApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.title()).isEqualTo("Not Found");
                    assertThat(e.detail()).isEqualTo("function 'ech' is not deployed; deployed: echo");
                    assertThat(e).hasMessage(e.detail());
                });
    }

    @Test
    void anErrorThatIsNotJsonStillSaysWhatHappened() {
        peer.on("GET /v1/functions", 502, "text/html", "<html>Bad Gateway</html>");

        assertThatThrownBy(hearth::functions)
                .isInstanceOfSatisfying(HearthApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.detail()).isEqualTo("HTTP 502: <html>Bad Gateway</html>");
                });
    }

    @Test
    void anEmptyErrorBodyNamesTheStatus() {
        peer.on("GET /v1/functions", 401, "application/problem+json", "");

        assertThatThrownBy(hearth::functions).isInstanceOf(HearthApiException.class)
                .hasMessage("HTTP 401 Unauthorized");
    }

    @Test
    void noServerIsAConnectionExceptionThatSaysWhere() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port);
        try (Hearth nobody = Hearth.connect(url, "k")) {
            assertThatThrownBy(nobody::functions)
                    .isInstanceOfSatisfying(HearthConnectionException.class, e -> {
                        assertThat(e.refused()).isTrue();
                        assertThat(e.server()).isEqualTo(url);
                        assertThat(e).hasMessage("no Hearth server at " + url);
                    });
        }
    }

    @Test
    void functionsAreListed() {
        peer.on("GET /v1/functions", 200, """
                {"functions":[{"name":"echo","version":3,"deployedAt":"2025-06-01T10:00:00Z","runtime":"python",
                  "gpu":null,"scaling":{"minWorkers":0,"maxWorkers":2,"idleTimeout":"5s","concurrency":4},
                  "workers":1,"inQueue":7,"inProgress":2},
                 {"name":"llm","version":1,"gpu":"2x H100|A100"}]}""");

        List<FunctionInfo> fns = hearth.functions();

        assertThat(fns.getFirst()).isEqualTo(new FunctionInfo("echo", 3, Instant.parse("2025-06-01T10:00:00Z"),
                "python", null, new FunctionInfo.Scaling(0, 2, "5s", 4), 1, 7, 2, null));
        assertThat(fns.get(1).gpu()).isEqualTo("2x H100|A100");
    }

    @Test
    void functionInfoCarriesTheManifest() {
        peer.on("GET /v1/functions/echo", 200, "{\"name\":\"echo\",\"version\":1,\"manifest\":\"name: echo\\n\"}");

        assertThat(hearth.function("echo").info().manifest()).isEqualTo("name: echo\n");
    }

    @Test
    void nodesAreListedAndDrainedWithAGracePeriod() {
        peer.on("GET /v1/nodes", 200, """
                {"nodes":[{"name":"node-a","state":"ACTIVE","gpusTotal":2,"gpusFree":1,"workers":1,"inFlight":0,
                  "gpus":[{"index":0,"type":"H100","group":"node-a/H100/0","worker":"w1"},
                          {"index":1,"type":"H100","group":"node-a/H100/0"}]}]}""");
        peer.on("POST /v1/nodes/node-a/drain", 200, """
                {"name":"node-a","state":"DRAINING","graceEndsAt":"2025-06-01T10:00:30Z","gpus":[]}""");

        List<NodeInfo> nodes = hearth.nodes();
        NodeInfo draining = hearth.drainNode("node-a", java.time.Duration.ofSeconds(30));

        assertThat(nodes.getFirst().gpus()).containsExactly(new NodeInfo.NodeGpu(0, "H100", "node-a/H100/0", "w1"),
                new NodeInfo.NodeGpu(1, "H100", "node-a/H100/0", null));
        assertThat(nodes.getFirst().gpusFree()).isEqualTo(1);
        assertThat(draining.state()).isEqualTo("DRAINING");
        assertThat(draining.graceEndsAt()).isEqualTo(Instant.parse("2025-06-01T10:00:30Z"));
        assertThat(peer.requests).extracting(ScriptedPeer.Request::query).containsExactly(null, "grace=30000ms");
    }

    @Test
    void workersAreListedForOneOrAllFunctions() {
        peer.on("GET /v1/workers", 200, """
                {"workers":[{"id":"w1","function":"echo","version":2,"state":"READY","gpus":["H100:0"],"pid":4242,
                  "startedAt":"2025-06-01T10:00:00Z","inFlight":1,"jobsDone":10,"node":"node-a"}]}""");

        List<WorkerInfo> workers = hearth.workers("echo");
        hearth.workers(null);

        assertThat(workers).containsExactly(new WorkerInfo("w1", "echo", 2, "READY", List.of("H100:0"), 4242,
                Instant.parse("2025-06-01T10:00:00Z"), 1, 10, "node-a"));
        assertThat(peer.requests).extracting(ScriptedPeer.Request::query).containsExactly("function=echo", null);
    }

    @Test
    void logsAreText() {
        peer.on("GET /v1/functions/echo/logs", 200, "text/plain", "w1 | hello\nw1 | world\n");

        assertThat(hearth.logs("echo", "w1", 2)).isEqualTo("w1 | hello\nw1 | world\n");
        assertThat(peer.only("GET /v1/functions/echo/logs").query()).isEqualTo("worker=w1&tail=2");
    }

    @Test
    void jobsAreFilteredByStateAndLimited() {
        peer.on("GET /v1/functions/echo/jobs", 200,
                "{\"jobs\":[{\"id\":\"j1\",\"status\":\"IN_QUEUE\"},{\"id\":\"j2\",\"status\":\"IN_PROGRESS\"}]}");

        List<JobStatus> jobs = hearth.jobs("echo", List.of(JobState.IN_QUEUE, JobState.IN_PROGRESS), 10);
        hearth.jobs("echo", Set.of(), 0);

        assertThat(jobs).extracting(JobStatus::id).containsExactly("j1", "j2");
        assertThat(peer.requests).extracting(ScriptedPeer.Request::query)
                .containsExactly("state=IN_QUEUE%2CIN_PROGRESS&limit=10", null);
    }

    @Test
    void fromEnvironmentNeedsAKeyAndDefaultsTheUrl() {
        assertThatThrownBy(() -> Hearth.fromEnvironment(Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HEARTH_API_KEY is not set");

        Map<String, String> env = new HashMap<>(Map.of("HEARTH_API_KEY", "k"));
        try (Hearth h = Hearth.fromEnvironment(env)) {
            assertThat(h.url()).isEqualTo(URI.create("http://127.0.0.1:8420"));
        }
        env.put("HEARTH_URL", "http://gpu-box:9000/");
        try (Hearth h = Hearth.fromEnvironment(env)) {
            assertThat(h.url()).isEqualTo(URI.create("http://gpu-box:9000"));
        }
    }

    @Test
    void connectNeedsAKey() {
        assertThatThrownBy(() -> Hearth.connect(URI.create("http://x"), " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, String> unzip(byte[] zip) throws IOException {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                entries.put(e.getName(), new String(in.readAllBytes()));
            }
        }
        return entries;
    }
}
