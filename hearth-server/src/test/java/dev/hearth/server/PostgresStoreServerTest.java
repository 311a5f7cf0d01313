package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A control plane on PostgreSQL ({@code --store postgresql://...}), each test in a schema of its own. */
class PostgresStoreServerTest {

    private final String store = TestPostgres.newStoreUrl();
    private TestServer first;
    private TestServer second;

    @AfterEach
    void stop() throws SQLException {
        for (TestServer s : new TestServer[] {first, second}) {
            if (s != null) {
                s.close();
            }
        }
        TestPostgres.drop(store);
    }

    @Test
    void aJobRunsEndToEndWithEveryRowInPostgres() throws SQLException {
        first = TestServer.withFunctions("echo").configured(b -> b.storeUrl(store)).started();

        TestServer.Response r = first.post("/v2/echo/runsync", "{\"input\":{\"x\":1}}");

        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(body.get("output").get("x").asInt()).isEqualTo(1);
        assertThat(TestPostgres.rows(store, "jobs")).isEqualTo(1);
        assertThat(TestPostgres.rows(store, "function_versions")).isEqualTo(1);
        assertThat(TestPostgres.rows(store, "bundles")).isEqualTo(1);
        assertThat(first.dataDir().resolve("hearth.db")).doesNotExist();
    }

    @Test
    void aNodeWithAnEmptyDataDirRunsCodeAnotherNodeDeployed() {
        first = TestServer.withFunctions("echo").configured(b -> b.storeUrl(store)).started();
        String earlier = first.run("echo", "\"before\"");
        first.awaitFinal("echo", earlier);
        first.close();

        second = TestServer.withFunctions().configured(b -> b.storeUrl(store)).started();

        assertThat(second.status("echo", earlier).get("output").asText()).isEqualTo("before");
        JsonNode r = second.post("/v2/echo/runsync", "{\"input\":\"after\"}").json();
        assertThat(r.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.get("output").asText()).isEqualTo("after");
    }
}
