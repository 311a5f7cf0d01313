package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.runtime.local.WorkerLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker's log rotates at its cap, and a job's logs are still found after its bytes were rotated. */
class WorkerLogCapsTest {

    static final int CAP = 64 << 10;
    static final int BURST = 20 << 10;

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("chatty")
            .configured(b -> b.workerLogMax(CAP).functionLogMax(1 << 20));

    /** {@code count} lines of about 100 bytes, so one job prints about {@code count * 100} bytes. */
    static String lines(String tag, int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"" + tag + " " + i + " " + "x".repeat(90) + "\"")
                .collect(Collectors.joining(",", "{\"lines\":[", "]}"));
    }

    static List<String> jobLines(JsonNode logs) {
        List<String> out = new ArrayList<>();
        logs.get("segments").forEach(s -> s.get("lines").forEach(l -> out.add(l.asText())));
        return out;
    }

    @Test
    void aJobsLinesAreFoundAfterTheirBytesWereRotatedAndTheLogStaysWithinItsCap() throws Exception {
        String first = hearth.run("chatty", "{\"lines\":[\"alpha 1\",\"alpha 2\"]}");
        String worker = hearth.awaitFinal("chatty", first).get("workerId").asText();
        Path log = hearth.dataDir().resolve("logs").resolve("chatty").resolve(worker + ".log");
        for (int i = 0; i < 8; i++) {  // 160 KB, written by the same worker (maxWorkers 1)
            hearth.awaitFinal("chatty", hearth.run("chatty", lines("filler" + i, BURST / 100)));
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(WorkerLogs.size(log)).isGreaterThan(8L * BURST);
            assertThat(Files.size(log)).isLessThanOrEqualTo(CAP / 2);
        });

        assertThat(WorkerLogs.diskSize(log)).isLessThanOrEqualTo(CAP);
        JsonNode logs = hearth.get("/v1/jobs/" + first + "/logs").json();
        assertThat(logs.get("segments")).hasSize(1);  // its bytes are gone from disk; the answer is still sound
        String last = hearth.run("chatty", "{\"lines\":[\"omega 1\",\"omega 2\"]}");
        hearth.awaitFinal("chatty", last);
        assertThat(jobLines(hearth.get("/v1/jobs/" + last + "/logs").json())).containsExactly("omega 1", "omega 2");
    }

    @Test
    void linesWrittenBeforeARotationAreReadFromTheRotatedCopy() {
        String beta = hearth.run("chatty", lines("beta", CAP / 4 / 100));  // a quarter of the cap
        String worker = hearth.awaitFinal("chatty", beta).get("workerId").asText();
        Path log = hearth.dataDir().resolve("logs").resolve("chatty").resolve(worker + ".log");
        // past half the cap: the next rotation keeps the last half cap, the end of beta's output included
        hearth.awaitFinal("chatty", hearth.run("chatty", lines("filler", BURST / 100)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Files.size(log)).isLessThan(WorkerLogs.size(log)));

        JsonNode segment = hearth.get("/v1/jobs/" + beta + "/logs").json().get("segments").get(0);
        assertThat(segment.get("truncated").asBoolean()).isTrue();
        assertThat(jobLines(hearth.get("/v1/jobs/" + beta + "/logs").json()))
                .contains("beta " + (CAP / 4 / 100 - 1) + " " + "x".repeat(90))
                .noneMatch(line -> line.startsWith("filler"));
    }
}
