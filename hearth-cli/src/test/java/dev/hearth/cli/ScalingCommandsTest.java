package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth scale} and {@code hearth events} against a scripted server. */
class ScalingCommandsTest {

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @Test
    void scaleSendsOnlyTheGivenFieldsAndPrintsWhatIsInForce() {
        server.on("PATCH /v1/functions/echo/scaling", 200, """
                {"name":"echo","scaling":{"minWorkers":1,"maxWorkers":8,"bufferWorkers":1,"idleTimeout":"30s",
                 "scaler":"requestCount","scalerValue":1.0}}""");

        Cli.Result r = server.run("scale", "echo", "--min", "1", "--max", "8", "--buffer", "1", "--idle-timeout", "30s");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(server.bodies).containsExactly(
                "{\"minWorkers\":1,\"maxWorkers\":8,\"bufferWorkers\":1,\"idleTimeout\":\"30000ms\"}");
        assertThat(r.out().strip()).isEqualTo("echo: minWorkers 1, maxWorkers 8, bufferWorkers 1, idleTimeout 30s, "
                + "scaler requestCount 1.0 (live until the next deploy)");
    }

    @Test
    void scaleWithoutAChangeIsAUsageError() {
        Cli.Result r = server.run("scale", "echo");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--min");
        assertThat(server.requests).isEmpty();
    }

    @Test
    void aRefusedChangeShowsTheServersReason() {
        server.on("PATCH /v1/functions/echo/scaling", 400, """
                {"title":"Bad Request","status":400,
                 "detail":"'scaling.maxWorkers' (2) must be at least 'scaling.minWorkers' (5)"}""");

        Cli.Result r = server.run("scale", "echo", "--min", "5");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("'scaling.maxWorkers' (2) must be at least 'scaling.minWorkers' (5)");
    }

    @Test
    void resetDeletesTheLiveChange() {
        server.on("DELETE /v1/functions/echo/scaling", 200, """
                {"name":"echo","scaling":{"minWorkers":0,"maxWorkers":2,"bufferWorkers":0,"idleTimeout":"2s",
                 "scaler":"requestCount","scalerValue":1.0}}""");

        Cli.Result r = server.run("scale", "echo", "--reset");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("maxWorkers 2").contains("as deployed");
    }

    @Test
    void eventsAreAReadableTable() {
        server.on("GET /v1/functions/burst/events", 200, """
                {"events":[
                  {"at":"2026-01-01T12:00:00Z","action":"scale-up","delta":4,"desired":12,"panic":true,"why":"panic",
                   "reason":"queue 37, in flight 8, workers 8, capacity 8 (concurrency 1) → +4, panic (desired 12)",
                   "inputs":{"queued":37,"inFlight":8,"ready":8,"starting":0}},
                  {"at":"2026-01-01T12:01:00Z","action":"scale-down","delta":-2,"desired":10,"panic":false,
                   "why":"idle","reason":"queue 0, in flight 0, workers 12 → -2, idle for 30s (desired 10)",
                   "inputs":{"queued":0,"inFlight":0,"ready":12,"starting":0}}]}""");

        Cli.Result r = server.run("events", "burst");

        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).hasSize(3);
        assertThat(r.out().lines().findFirst().orElseThrow())
                .startsWith("TIME").contains("ACTION", "DELTA", "DESIRED", "QUEUE", "IN-FLIGHT", "WORKERS", "REASON");
        assertThat(r.out()).contains("scale-up (panic)", "+4", "37", "capacity 8 (concurrency 1) → +4, panic")
                .contains("scale-down", "-2", "idle for 30s");
    }

    @Test
    void noEventsSaysSo() {
        server.on("GET /v1/functions/echo/events", 200, "{\"events\":[]}");

        assertThat(server.run("events", "echo").out()).contains("no scaling decisions for echo yet");
    }
}
