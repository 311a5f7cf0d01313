package dev.hearth.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.worker.ProtocolPeer.Recorded;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A {@link BatchHandler} gets the inputs of a batch take as a list; each output goes to its own job. */
@Timeout(20)
class BatchHandlerTest {

    private static final Duration BOUND = Duration.ofSeconds(5);
    private ProtocolPeer peer;
    private HearthWorker worker;

    @BeforeEach
    void startPeer() throws IOException {
        peer = new ProtocolPeer();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (worker != null) {
                worker.shutdown();
                assertThat(worker.awaitTermination(BOUND)).as("worker stopped").isTrue();
            }
        } finally {
            peer.close();
        }
    }

    private void serve(BatchHandler handler, int maxBatchSize) {
        worker = HearthWorker.create(WorkerOptions.newBuilder().setEnvironment(peer.env())
                .setRetryBackoff(Duration.ofMillis(20)).setPollBackoff(Duration.ofMillis(50))
                .setPollTimeout(Duration.ofSeconds(10)).build(), handler, maxBatchSize);
        worker.start();
    }

    @Test
    void eachJobOfABatchGetsItsOwnOutput() throws IOException {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            peer.offer("j" + i, "{\"n\":" + i + "}");
        }
        serve(inputs -> {
            sizes.add(inputs.size());
            return inputs.stream().map(in -> in.get("n").asInt() * 10).toList();
        }, 3);

        for (int i = 0; i < 3; i++) {
            assertThat(peer.awaitDone("j" + i).json().get("output").asInt()).isEqualTo(i * 10);
        }
        assertThat(sizes).containsExactly(3);
        Recorded take = peer.requests("job-take-batch").getFirst();
        assertThat(take.param("batch_size")).isEqualTo("3");
    }

    @Test
    void aResultOfTheWrongLengthFailsEveryJob() throws IOException {
        peer.offer("a", "{}");
        peer.offer("b", "{}");
        serve(inputs -> List.of("one"), 2);

        for (String id : List.of("a", "b")) {
            JsonNode error = ProtocolPeer.JSON.readTree(peer.awaitDone(id).json().get("error").asText());
            assertThat(error.get("error_message").asText()).contains("returned 1 outputs for 2 inputs");
        }
    }
}
