package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FnTest {

    private final ObjectMapper json = new ObjectMapper();
    private final ScriptedPeer peer = new ScriptedPeer();
    private final Hearth hearth = Hearth.connect(peer.url(), "hk_test");

    @AfterEach
    void close() {
        hearth.close();
        peer.close();
    }

    @Test
    void remoteSendsTheInputAndReturnsTheOutput() throws Exception {
        peer.on("POST /v2/echo/runsync", 200,
                "{\"id\":\"j1\",\"status\":\"COMPLETED\",\"output\":{\"x\":1},\"delayTime\":5,\"coldStart\":true}");

        JsonNode out = hearth.function("echo").remote(Map.of("x", 1));

        assertThat(out).isEqualTo(json.readTree("{\"x\":1}"));
        ScriptedPeer.Request r = peer.only("POST /v2/echo/runsync");
        assertThat(json.readTree(r.body())).isEqualTo(json.readTree("{\"input\":{\"x\":1}}"));
        assertThat(r.header("Authorization")).isEqualTo("Bearer hk_test");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.query()).isEqualTo("wait=90000");
    }

    @Test
    void remotePollsStatusSyncUntilTheJobIsFinal() {
        peer.on("POST /v2/echo/runsync", 200, "{\"id\":\"j1\",\"status\":\"IN_QUEUE\"}")
                .on("GET /v2/echo/status-sync/j1", 200, "{\"id\":\"j1\",\"status\":\"IN_PROGRESS\"}")
                .on("GET /v2/echo/status-sync/j1", 200, "{\"id\":\"j1\",\"status\":\"COMPLETED\",\"output\":\"hi\"}");

        assertThat(hearth.function("echo").remote("hi", String.class)).isEqualTo("hi");
        assertThat(peer.requests).extracting(ScriptedPeer.Request::path)
                .containsExactly("/v2/echo/runsync", "/v2/echo/status-sync/j1", "/v2/echo/status-sync/j1");
    }

    @Test
    void aFailedJobBecomesARemoteExceptionWithIdStatusAndError() {
        peer.on("POST /v2/echo/runsync", 200,
                "{\"id\":\"j9\",\"status\":\"FAILED\",\"error\":\"ValueError: bad x\",\"workerId\":\"w1\"}");

        assertThatThrownBy(() -> hearth.function("echo").remote(Map.of()))
                .isInstanceOfSatisfying(HearthRemoteException.class, e -> {
                    assertThat(e.jobId()).isEqualTo("j9");
                    assertThat(e.status()).isEqualTo(JobState.FAILED);
                    assertThat(e.error()).isEqualTo("ValueError: bad x");
                    assertThat(e.job().workerId()).isEqualTo("w1");
                    assertThat(e).hasMessage("job j9 FAILED: ValueError: bad x");
                });
    }

    @Test
    void structuredErrorsStayReadable() {
        peer.on("POST /v2/echo/runsync", 200,
                "{\"id\":\"j9\",\"status\":\"TIMED_OUT\",\"error\":{\"error_type\":\"Timeout\"}}");

        assertThatThrownBy(() -> hearth.function("echo").remote(1))
                .isInstanceOfSatisfying(HearthRemoteException.class, e -> {
                    assertThat(e.status()).isEqualTo(JobState.TIMED_OUT);
                    assertThat(e.error()).isEqualTo("{\"error_type\":\"Timeout\"}");
                });
    }

    @Test
    void runSyncReturnsTheStatusEvenWhenTheJobFailed() {
        peer.on("POST /v2/echo/runsync", 200, "{\"id\":\"j2\",\"status\":\"CANCELLED\"}");

        JobStatus status = hearth.function("echo").runSync(Map.of());

        assertThat(status.status()).isEqualTo(JobState.CANCELLED);
        assertThat(status.isFinal()).isTrue();
        assertThat(status.output()).isNull();
    }

    @Test
    void statusObjectFieldsAreMirrored() {
        peer.on("POST /v2/echo/runsync", 200, """
                {"id":"j3","status":"COMPLETED","delayTime":12,"executionTime":34,"output":[1,2],"coldStart":true,
                 "initTime":560,"workerId":"w-7","version":3,"attempts":1,"extra":"ignored"}""");

        JobStatus s = hearth.function("echo").runSync(Map.of());

        assertThat(s).isEqualTo(new JobStatus("j3", JobState.COMPLETED, 12L, 34L, json.valueToTree(new int[] {1, 2}),
                null, true, 560L, "w-7", 3, 1, null));
    }

    @Test
    void spawnReturnsAHandleThatReportsStatusWaitsAndCancels() throws Exception {
        peer.on("POST /v2/echo/run", 200, "{\"id\":\"j4\",\"status\":\"IN_QUEUE\"}")
                .on("GET /v2/echo/status/j4", 200,
                        "{\"id\":\"j4\",\"status\":\"IN_QUEUE\",\"reason\":\"no free H100\"}")
                .on("GET /v2/echo/status-sync/j4", 200, "{\"id\":\"j4\",\"status\":\"COMPLETED\",\"output\":42}")
                .on("POST /v2/echo/cancel/j4", 200, "{\"id\":\"j4\",\"status\":\"CANCELLED\"}");

        JobHandle job = hearth.function("echo").spawn(Map.of("n", 42));

        assertThat(job.id()).isEqualTo("j4");
        assertThat(job.function()).isEqualTo("echo");
        assertThat(json.readTree(peer.only("POST /v2/echo/run").body()))
                .isEqualTo(json.readTree("{\"input\":{\"n\":42}}"));
        assertThat(job.status().reason()).isEqualTo("no free H100");
        assertThat(job.get(Duration.ofSeconds(5), Integer.class)).isEqualTo(42);
        assertThat(job.cancel().status()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void getGivesUpAfterTheTimeoutButTheJobGoesOn() {
        peer.on("GET /v2/slow/status-sync/j5", 200, "{\"id\":\"j5\",\"status\":\"IN_PROGRESS\"}");

        JobHandle job = hearth.function("slow").job("j5");

        assertThatThrownBy(() -> job.get(Duration.ofMillis(10)))
                .isInstanceOfSatisfying(HearthTimeoutException.class, e -> {
                    assertThat(e.jobId()).isEqualTo("j5");
                    assertThat(e.lastStatus().status()).isEqualTo(JobState.IN_PROGRESS);
                });
        // The API's shortest wait is one second, so the client asks for that, not for 10 ms.
        assertThat(peer.requests).isNotEmpty().allSatisfy(r -> assertThat(r.query()).isEqualTo("wait=1000"));
    }

    @Test
    void functionNamesAreOneEncodedPathSegment() {
        peer.on("POST /v2/a%2Fb/run", 200, "{\"id\":\"j6\",\"status\":\"IN_QUEUE\"}");

        assertThat(hearth.function("a/b").spawn(1).id()).isEqualTo("j6");
    }

    @Test
    void aStatusWritesBackAsTheServersStatusObject() throws Exception {
        JobStatus s = new JobStatus("j1", JobState.IN_QUEUE, null, null, null, null, null, null, null, 2, 0,
                "no free H100");

        assertThat(json.readTree(json.writeValueAsString(s))).isEqualTo(json.readTree(
                "{\"id\":\"j1\",\"status\":\"IN_QUEUE\",\"version\":2,\"attempts\":0,\"reason\":\"no free H100\"}"));
    }

    @Test
    void runSyncWithATimeoutAsksTheServerToWaitNoLonger() {
        peer.on("POST /v2/echo/runsync", 200, "{\"id\":\"j8\",\"status\":\"IN_PROGRESS\"}")
                .on("GET /v2/echo/status-sync/j8", 200, "{\"id\":\"j8\",\"status\":\"COMPLETED\",\"output\":1}");

        JobStatus s = hearth.function("echo").runSync(Map.of(), Duration.ofSeconds(5));

        assertThat(s.output().asInt()).isEqualTo(1);
        assertThat(peer.only("POST /v2/echo/runsync").query()).matches("wait=\\d+");
        assertThat(Long.parseLong(peer.only("POST /v2/echo/runsync").query().substring(5))).isBetween(1000L, 5000L);
    }
}
