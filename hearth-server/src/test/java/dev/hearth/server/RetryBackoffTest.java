package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failed job waits out the function's retry backoff in the queue before each retry. */
class RetryBackoffTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("backoff");

    @Test
    void retriesAreSpacedByTheBackoffAndTheWaitingJobShowsWhenItMayRun() throws Exception {
        Path log = TestSandbox.sharedFile("attempts", ".log");

        String id = hearth.run("backoff", "{\"log\":\"" + log + "\",\"succeedOn\":3}");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            JsonNode s = hearth.status("backoff", id);
            assertThat(s.get("status").asText()).isEqualTo("IN_QUEUE");
            assertThat(s.has("runAfter")).isTrue();
            assertThat(s.get("reason").asText()).contains("retry backoff");
        });
        JsonNode done = hearth.awaitFinal("backoff", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("attempt").asInt()).isEqualTo(3);
        assertThat(done.get("attempts").asInt()).isEqualTo(3);

        List<Double> times = Files.readAllLines(log).stream().map(Double::parseDouble).toList();
        assertThat(times).hasSize(3);
        assertThat(times.get(1) - times.get(0)).as("seconds before retry 1 (initialDelay 400ms)")
                .isGreaterThanOrEqualTo(0.4);
        assertThat(times.get(2) - times.get(1)).as("seconds before retry 2 (400ms x 2.0)")
                .isGreaterThanOrEqualTo(0.8);
    }

    @Test
    void aJobOutOfRetriesFailsWithItsLastError() throws Exception {
        Path log = TestSandbox.sharedFile("attempts", ".log");

        JsonNode done = hearth.awaitFinal("backoff", hearth.run("backoff", "{\"log\":\"" + log
                + "\",\"succeedOn\":99}"));

        assertThat(done.get("status").asText()).isEqualTo("FAILED");
        assertThat(done.get("attempts").asInt()).isEqualTo(3);
        assertThat(done.get("error").asText()).contains("attempt 3 fails");
        assertThat(Files.readAllLines(log)).hasSize(3);
    }
}
