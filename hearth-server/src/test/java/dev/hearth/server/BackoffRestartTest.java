package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retry backoff is stored with the job: a restart neither forgets nor shortens it. */
class BackoffRestartTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("backoff-slow");

    @Test
    void aJobWaitingOutItsBackoffKeepsItsRunAfterTimeAcrossARestart() throws Exception {
        Path log = TestSandbox.sharedFile("attempts", ".log");
        String id = hearth.run("backoff-slow", "{\"log\":\"" + log + "\",\"succeedOn\":2}");
        AtomicReference<String> runAfter = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode s = hearth.status("backoff-slow", id);
            runAfter.set(s.path("runAfter").asText(null));
            return runAfter.get() != null;
        });

        hearth.restart();

        JsonNode after = hearth.status("backoff-slow", id);
        assertThat(Instant.now()).as("the restart took less than the 10 s backoff")
                .isBefore(Instant.parse(runAfter.get()));
        assertThat(after.path("status").asText()).as("status after restart: %s", after).isEqualTo("IN_QUEUE");
        assertThat(after.path("runAfter").asText()).isEqualTo(runAfter.get());
        JsonNode done = hearth.awaitFinal("backoff-slow", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        List<Double> times = Files.readAllLines(log).stream().map(Double::parseDouble).toList();
        assertThat(times).hasSize(2);
        Instant retried = Instant.ofEpochMilli(Math.round(times.get(1) * 1000));
        assertThat(retried).as("the retry ran no earlier than runAfter")
                .isAfterOrEqualTo(Instant.parse(runAfter.get()).minusMillis(5));
        assertThat(times.get(1) - times.get(0)).isGreaterThanOrEqualTo(9.9);
    }
}
