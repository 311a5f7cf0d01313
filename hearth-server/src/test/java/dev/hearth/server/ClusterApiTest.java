package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/cluster} of a control plane alone on its store; several nodes are ControlPlaneFailoverTest's. */
class ClusterApiTest {

    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aServerAloneOnItsStoreIsTheLeaderOfTermZero() {
        server = TestServer.withFunctions().started();

        JsonNode cluster = server.get("/v1/cluster").json();

        assertThat(cluster.get("term").asLong()).isZero();
        assertThat(cluster.get("nodes")).hasSize(1);
        JsonNode node = cluster.get("nodes").get(0);
        assertThat(node.get("url").asText()).isEqualTo(server.url().toString());
        assertThat(node.get("leader").asBoolean()).isTrue();
        assertThat(node.get("since").asText()).isNotBlank();
        assertThat(node.get("lastSeen").asText()).isNotBlank();
    }

    @Test
    void theClusterNeedsAKey() {
        server = TestServer.withFunctions().started();

        TestServer.Response r = server.send(HttpRequest.newBuilder(server.url().resolve("/v1/cluster")).GET());

        assertThat(r.status()).isEqualTo(401);
    }
}
