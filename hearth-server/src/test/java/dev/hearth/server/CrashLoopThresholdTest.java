package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator sets how many workers in a row must die at start before a version counts as crash looping. */
class CrashLoopThresholdTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions().configured(b -> b.crashLoopThreshold(1));

    @Test
    void withAThresholdOfOneTheFirstWorkerThatDiesAtStartEndsTheWait() throws IOException {
        hearth.deploy("broken");

        JsonNode done = hearth.awaitFinal("broken", hearth.run("broken", "{}"));

        assertThat(done.get("status").asText()).isEqualTo("FAILED");
        assertThat(done.get("error").asText()).contains("crash looping").contains("1 workers in a row");
        assertThat(hearth.get("/v1/functions/broken").json().get("crashLoop").get("failures").asInt()).isEqualTo(1);
        try (var logs = Files.list(hearth.dataDir().resolve("logs").resolve("broken"))) {
            assertThat(logs.map(Path::getFileName)).as("workers started").hasSize(1);
        }
    }

    @Test
    void aThresholdBelowOneIsRefused() {
        assertThatThrownBy(() -> ServerConfig.builder().crashLoopThreshold(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("crashLoopThreshold");
    }
}
