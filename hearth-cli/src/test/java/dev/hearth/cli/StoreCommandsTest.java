package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.client.Hearth;
import dev.hearth.client.JobStatus;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** hearth store copy: an installation moved from its data dir's SQLite into PostgreSQL, served from there. */
class StoreCommandsTest {

    private static final String KEY = "store-test-key";
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    private static final String SERVER = "postgresql://postgres@127.0.0.1:5432/test";

    private final String schema = "hearth_cli_copy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final String target = SERVER + "?schema=" + schema;
    private Path dir;
    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc())) {
            // reachable: go on
        } catch (SQLException e) {
            Assumptions.abort("PostgreSQL is not reachable at " + SERVER + ", so hearth store copy is not tested: "
                    + e.getMessage());
        }
        dir = Files.createTempDirectory("hearth-store-cli");
        cli = new Cli(Map.of(), dir);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc()); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void aCopiedInstallationServesItsJobsAndRunsItsCodeFromPostgres() throws Exception {
        String id;
        try (HearthServer sqlite = server(dir.resolve(".hearth"), null);
             Hearth hearth = Hearth.connect(sqlite.url(), KEY)) {
            hearth.deploy(EXAMPLES.resolve("echo/hearth.yaml"));
            id = hearth.function("echo").runSync(Map.of("moved", true)).id();
        }

        Cli.Result copy = cli.run("store", "copy", "--from", ".hearth", "--to", target);

        assertThat(copy.code()).as(copy.err()).isZero();
        assertThat(copy.out()).contains("copied .hearth to " + target).containsPattern("jobs\\s+1")
                .containsPattern("function_versions\\s+1").containsPattern("bundles\\s+1")
                .contains("hearth serve --store " + target);
        // a node with nothing in its data dir: the job and the code come from the database
        try (HearthServer postgres = server(dir.resolve("fresh"), target);
             Hearth hearth = Hearth.connect(postgres.url(), KEY)) {
            assertThat(hearth.jobStatus(id).output().toString()).contains("moved");
            JobStatus again = hearth.function("echo").runSync(Map.of("again", 1));
            assertThat(again.output().toString()).contains("again");
        }
    }

    @Test
    void aStoreWithRowsIsRefused() {
        try (HearthServer sqlite = server(dir.resolve(".hearth"), null)) {
            // started once: the store has its settings (API key, webhook secret)
        }
        assertThat(cli.run("store", "copy", "--from", ".hearth", "--to", target).code()).isZero();

        Cli.Result again = cli.run("store", "copy", "--from", ".hearth", "--to", target);

        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("is not empty").contains("copy into a new database or schema only");
    }

    @Test
    void aDataDirInUseByARunningServerIsRefused() {
        try (HearthServer running = server(dir.resolve(".hearth"), null)) {
            Cli.Result r = cli.run("store", "copy", "--from", ".hearth", "--to", target);

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("is in use");
        }
    }

    @Test
    void aTargetThatIsNotAPostgresUrlIsAUsageError() {
        Cli.Result r = cli.run("store", "copy", "--from", ".hearth", "--to", "/tmp/elsewhere");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--to must be a URL like postgresql://user@host:5432/database");
    }

    @Test
    void serveRefusesAStoreUrlThatIsNotPostgresNamingWhereItCameFrom() {
        Cli.Result flag = cli.run("serve", "--port", "0", "--store", "mysql://h/db");
        Cli.Result variable = new Cli(Map.of("HEARTH_STORE_URL", "mysql://h/db"), dir).run("serve", "--port", "0");

        assertThat(flag.code()).isEqualTo(2);
        assertThat(flag.err()).contains("--store must be a URL like postgresql://user@host:5432/database");
        assertThat(variable.code()).isEqualTo(2);
        assertThat(variable.err()).contains("$HEARTH_STORE_URL must be a URL like postgresql://");
    }

    @Test
    void anAdvertisedNodeNeedsAPostgresStoreAndAnHttpUrl() {
        Cli.Result noStore = cli.run("serve", "--port", "0", "--advertise-url", "http://10.0.0.5:8420");
        Cli.Result notHttp = cli.run("serve", "--port", "0", "--advertise-url", "10.0.0.5:8420", "--store",
                "postgresql://hearth@db:5432/hearth");

        assertThat(noStore.code()).isEqualTo(2);
        assertThat(noStore.err()).contains("--advertise-url runs one of several control-plane nodes sharing a "
                + "PostgreSQL store");
        assertThat(notHttp.code()).isEqualTo(2);
        assertThat(notHttp.err()).contains("--advertise-url must be an http:// or https:// URL");
    }

    private static HearthServer server(Path dataDir, String store) {
        return HearthServer.start(ServerConfig.builder().port(0).dataDir(dataDir).gpus("none").apiKey(KEY)
                .workerGrace(Duration.ofSeconds(5)).storeUrl(store).build());
    }

    private static String jdbc() {
        return "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3";
    }
}
