package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Client commands against a scripted server: the requests they make and what they print. */
class ClientCommandsTest {

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @Test
    void lsPrintsATableUsingTheKeyFromClientJson() {
        server.on("GET /v1/functions", 200, """
                {"functions":[{"name":"echo","version":2,"runtime":"python","workers":1,"inQueue":3,
                  "inProgress":0,"state":"ok",
                  "scaling":{"minWorkers":0,"maxWorkers":2,"idleTimeout":"5s","concurrency":1}},
                 {"name":"gpu-info","version":1,"gpu":"1x H100","workers":0,"inQueue":0,"state":"waitingForGpu"}]}""");

        Cli.Result r = server.run("ls");

        assertThat(r.code()).isZero();
        assertThat(r.out().lines()).containsExactly(
                "NAME      VERSION  GPU      WORKERS  QUEUE  STATE",
                "echo      2        cpu      1        3      ok",
                "gpu-info  1        1x H100  0        0      waiting for GPU");
        assertThat(server.authorizations).containsOnly("Bearer hk_file");
    }

    @Test
    void deployPrintsNameVersionAndHash() throws Exception {
        Path fn = Files.createDirectories(server.dir().resolve("fn"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: echo\n");
        server.on("POST /v1/functions", 201, "{\"name\":\"echo\",\"version\":4,\"bundleSha256\":\"ab12\"}");

        Cli.Result r = server.run("deploy", "fn");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("deployed echo version 4 (bundle sha256 ab12)");
    }

    @Test
    void runPrintsTheOutput() {
        server.on("POST /v2/echo/runsync", 200, "{\"id\":\"j1\",\"status\":\"COMPLETED\",\"output\":{\"x\":1}}");

        Cli.Result r = server.cli().withStdin("{\"x\":1}").run("run", "echo", "--input", "-", "--no-stream");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"x\" : 1");
        assertThat(server.bodies).containsExactly("{\"input\":{\"x\":1}}");
    }

    @Test
    void runAsyncPrintsTheJobId() {
        server.on("POST /v2/echo/run", 200, "{\"id\":\"j7\",\"status\":\"IN_QUEUE\"}");

        Cli.Result r = server.run("run", "echo", "--async");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("j7");
        assertThat(server.bodies).containsExactly("{\"input\":{}}");
    }

    @Test
    void aFailedJobExitsOneWithTheRemoteError() {
        server.on("POST /v2/echo/runsync", 200, "{\"id\":\"j2\",\"status\":\"FAILED\",\"error\":\"KeyError: 'x'\"}");

        Cli.Result r = server.run("run", "echo", "-i", "{}", "--no-stream");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("job j2 FAILED: KeyError: 'x'");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aProblemIsPrintedAsItsDetail() {
        server.on("POST /v2/ech/runsync", 404, """
                {"type":"about:blank","title":"Not Found","status":404,
                 "detail":"function 'ech' is not deployed; deployed: echo"}""");

        Cli.Result r = server.run("run", "ech", "--no-stream");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("function 'ech' is not deployed; deployed: echo");
    }

    @Test
    void aRefusedKeyNamesWhereKeysComeFrom() {
        server.on("GET /v1/functions", 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad key\"}");

        Cli.Result r = server.run("ls");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad key").contains("HEARTH_API_KEY");
    }

    @Test
    void statusWithAFunctionAsksItDirectly() {
        server.on("GET /v2/echo/status/j3", 200, "{\"id\":\"j3\",\"status\":\"IN_QUEUE\",\"reason\":\"no free H100\"}");

        Cli.Result r = server.run("status", "j3", "--function", "echo");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"status\" : \"IN_QUEUE\"").contains("no free H100")
                .doesNotContain("final").doesNotContain("null");
    }

    @Test
    void statusWithoutAFunctionAsksByTheIdAlone() {
        server.on("GET /v1/jobs/j4", 200, "{\"id\":\"j4\",\"function\":\"b\",\"status\":\"COMPLETED\",\"output\":5}");

        Cli.Result r = server.run("status", "j4");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("\"output\" : 5");
        assertThat(server.requests).containsExactly("GET /v1/jobs/j4");
    }

    @Test
    void cancelByTheIdAlonePrintsTheNewState() {
        server.on("POST /v1/jobs/j6/cancel", 200, "{\"id\":\"j6\",\"function\":\"echo\",\"status\":\"CANCELLED\"}");

        Cli.Result r = server.run("cancel", "j6");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("j6 CANCELLED");
    }

    @Test
    void cancelPrintsTheNewState() {
        server.on("POST /v2/echo/cancel/j5", 200, "{\"id\":\"j5\",\"status\":\"CANCELLED\"}");

        Cli.Result r = server.run("cancel", "echo", "j5");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("j5 CANCELLED");
    }

    @Test
    void logsPassTheWorkerAndTail() {
        server.on("GET /v1/functions/echo/logs", 200, "[w1] hello");

        Cli.Result r = server.run("logs", "echo", "--worker", "w1", "--tail", "5");

        assertThat(r.out()).isEqualTo("[w1] hello\n");
        assertThat(server.requests).containsExactly("GET /v1/functions/echo/logs?worker=w1&tail=5");
    }

    @Test
    void workersAreATable() {
        server.on("GET /v1/workers", 200, """
                {"workers":[{"id":"w1","function":"echo","version":1,"state":"READY","gpus":["H100:0"],"pid":42,
                  "startedAt":"2025-01-01T00:00:00Z","inFlight":0,"jobsDone":3,"node":"node-a"}]}""");

        Cli.Result r = server.run("workers", "echo");

        assertThat(r.out().lines().toList()).hasSize(2);
        assertThat(r.out()).contains("w1", "READY", "node-a", "H100:0", "42");
        assertThat(server.requests).containsExactly("GET /v1/workers?function=echo");
    }

    @Test
    void workersListThePreinitializedProcessesHoldingNoGpu() {
        server.on("GET /v1/workers", 200, """
                {"workers":[],"preinitialized":[{"id":"w-m-1","function":"model","version":2,"state":"WAITING_FOR_GPU",
                  "pid":77,"startedAt":"2025-01-01T00:00:00Z"},{"id":"w-m-2","function":"model","version":2,
                  "state":"SETTING_UP","pid":78,"startedAt":"2025-01-01T00:00:00Z"}]}""");

        Cli.Result r = server.run("workers", "model");

        assertThat(r.out()).doesNotContain("no workers");
        assertThat(r.out().lines().filter(l -> l.startsWith("w-m-1")).findFirst().orElseThrow())
                .contains("PREINIT", "77").doesNotContain("SETUP");
        assertThat(r.out().lines().filter(l -> l.startsWith("w-m-2")).findFirst().orElseThrow())
                .contains("PREINIT-SETUP", "78");
        assertThat(r.out()).contains("holding no GPU");
    }

    @Test
    void clusterIsATableOfTheControlPlaneNodesWithTheLeaderAndItsTerm() {
        // as the server's ClusterJson writes it
        server.on("GET /v1/cluster", 200, """
                {"nodes":[{"url":"http://10.0.0.5:8420","leader":true,"since":"2026-01-01T00:00:00Z",
                  "lastSeen":"2026-01-01T00:05:00Z"},
                  {"url":"http://10.0.0.6:8420","leader":false,"since":"2026-01-01T00:01:00Z",
                  "lastSeen":"2026-01-01T00:05:01Z"}],"term":3}""");

        Cli.Result r = server.run("cluster");

        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).contains("http://10.0.0.5:8420", "leader", "2026-01-01T00:00:00Z");
        assertThat(lines.get(2)).contains("http://10.0.0.6:8420", "standby");
        assertThat(lines.get(3)).isEqualTo("term 3");
    }

    @Test
    void nodesAreATableAndANodeDrainsWithAGracePeriod() {
        // as the server's NodeView writes them
        server.on("GET /v1/nodes", 200, """
                {"nodes":[{"name":"node-a","state":"ACTIVE","gpusTotal":2,"gpusFree":1,"workers":1,"inFlight":1,
                  "gpus":[{"index":0,"type":"H100","group":"node-a/H100/0","worker":"w1"},
                          {"index":1,"type":"H100","group":"node-a/H100/0"}]}]}""");
        server.on("POST /v1/nodes/node-a/drain", 200, """
                {"name":"node-a","state":"DRAINING","graceEndsAt":"2025-01-01T00:00:10Z","gpusTotal":2,
                  "gpusFree":1,"workers":1,"inFlight":1,
                  "gpus":[{"index":0,"type":"H100","group":"node-a/H100/0","worker":"w1"},
                          {"index":1,"type":"H100","group":"node-a/H100/0"}]}""");

        Cli.Result nodes = server.run("nodes");
        Cli.Result drain = server.run("node", "drain", "node-a", "--grace", "10s");

        assertThat(nodes.out().lines().toList()).hasSize(2);
        assertThat(nodes.out()).contains("node-a", "ACTIVE", "H100:2");
        assertThat(drain.code()).isZero();
        assertThat(drain.out()).contains("DRAINING", "2025-01-01T00:00:10Z");
        assertThat(server.requests).containsExactly("GET /v1/nodes", "POST /v1/nodes/node-a/drain?grace=10000ms");
        assertThat(server.run("node", "drain", "node-a", "--grace", "soon").code()).isEqualTo(2);
    }

    @Test
    void deleteSaysWhatWasDeleted() {
        server.on("DELETE /v1/functions/echo", 200, "{\"name\":\"echo\",\"deleted\":true}");

        Cli.Result r = server.run("delete", "echo");

        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("deleted echo");
    }
}
