package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queueDelay scaler on real processes: workers are added while jobs wait longer than scalerValue seconds. */
class QueueDelayScalingTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("queue-delay");

    @Test
    void aBacklogThatWaitsTooLongAddsWorkersOneAtATime() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ids.add(hearth.run("queue-delay", "{\"seconds\":0.5}"));
        }

        Set<String> workers = new HashSet<>();
        for (String id : ids) {
            JsonNode done = hearth.awaitFinal("queue-delay", id);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            workers.add(done.get("workerId").asText());
        }

        assertThat(workers).hasSizeBetween(2, 3);
        JsonNode events = hearth.get("/v1/functions/queue-delay/events").json().get("events");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("why").asText()).isEqualTo("queue delay");
            assertThat(e.get("delta").asInt()).isEqualTo(1);
            assertThat(e.get("inputs").get("oldestQueuedMs").asLong()).isGreaterThan(1000);
            assertThat(e.get("inputs").get("scaler").asText()).isEqualTo("queueDelay");
        });
    }
}
