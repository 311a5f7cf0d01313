package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dynamic batching: a burst is handed to the batch handler in lists of at most batch.maxSize. */
class BatchingTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("batched");

    @Test
    void aBurstRunsInBatchesOfAtMostMaxSizeAndEachJobGetsItsOwnOutput() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(hearth.run("batched", "{\"n\":" + i + "}"));
        }

        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode done = hearth.awaitFinal("batched", ids.get(i));
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("output").get("input").get("n").asInt()).isEqualTo(i);
            sizes.add(done.get("output").get("batchSize").asInt());
        }
        assertThat(sizes).allSatisfy(s -> assertThat(s).isBetween(1, 4));
        assertThat(sizes).as("batch sizes seen by the jobs").contains(4);
    }

    @Test
    void aBatchResultOfTheWrongLengthFailsEveryJobOfTheBatch() {
        JsonNode done = hearth.awaitFinal("batched", hearth.run("batched", "{\"dropOne\":true}"));

        assertThat(done.get("status").asText()).isEqualTo("FAILED");
        assertThat(done.get("error").asText()).contains("returned 0 outputs for 1 inputs");
    }
}
