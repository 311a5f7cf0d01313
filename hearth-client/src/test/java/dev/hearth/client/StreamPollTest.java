package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the client reads {@code /stream}: the edge cases a real worker rarely hits on cue. */
class StreamPollTest {

    private final ScriptedPeer peer = new ScriptedPeer();
    private final Hearth hearth = Hearth.connect(peer.url(), "hk_test");

    @AfterEach
    void close() {
        hearth.close();
        peer.close();
    }

    @Test
    void chunksThatCameWithTheFinalStatusAreFollowedByOneMorePollForStragglers() {
        peer.on("GET /v2/gen/stream/j1", 200, "{\"status\":\"IN_PROGRESS\",\"stream\":[]}")
                .on("GET /v2/gen/stream/j1", 200, "{\"status\":\"COMPLETED\",\"stream\":[{\"output\":1},{\"output\":2}]}")
                .on("GET /v2/gen/stream/j1", 200, "{\"status\":\"COMPLETED\",\"stream\":[{\"output\":3}]}")
                .on("GET /v2/gen/stream/j1", 200, "{\"status\":\"COMPLETED\",\"stream\":[]}");

        try (Stream<JsonNode> chunks = hearth.function("gen").job("j1").stream()) {
            assertThat(chunks.map(JsonNode::asInt).toList()).containsExactly(1, 2, 3);
        }
        assertThat(peer.requests).hasSize(4);
    }

    @Test
    void aFailedJobThrowsAfterItsLastChunkWithItsFinalStatus() {
        peer.on("GET /v2/gen/stream/j2", 200, "{\"status\":\"IN_PROGRESS\",\"stream\":[{\"output\":\"a\"}]}")
                .on("GET /v2/gen/stream/j2", 200, "{\"status\":\"FAILED\",\"stream\":[],\"error\":\"boom\"}")
                .on("GET /v2/gen/status/j2", 200, "{\"id\":\"j2\",\"status\":\"FAILED\",\"error\":\"boom\"}");
        var it = hearth.function("gen").job("j2").stream().iterator();

        assertThat(it.next().asText()).isEqualTo("a");
        assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(HearthRemoteException.class,
                e -> assertThat(e).hasMessage("job j2 FAILED: boom"));
    }

    @Test
    void mapOptionsRejectAWindowOutOfRange() {
        assertThat(MapOptions.defaults().maxInFlight()).isEqualTo(MapOptions.DEFAULT_MAX_IN_FLIGHT);
        assertThat(MapOptions.builder().maxInFlight(8).build()).isEqualTo(MapOptions.builder().maxInFlight(8).build());
        assertThatThrownBy(() -> MapOptions.builder().maxInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight");
    }
}
