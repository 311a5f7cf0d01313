package dev.hearth.store.postgres;

import dev.hearth.store.SecretStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/** The secret contract against the PostgreSQL that {@link TestDatabase} finds; each test skipped when there is none. */
class PostgresSecretStoreTest extends SecretStoreContract {

    private static final String SCHEMA = "hearth_secret_test_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @AfterAll
    static void dropSchema() throws SQLException {
        if (TestDatabase.found()) {
            TestDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        TestDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        return PostgresStore.open(TestDatabase.url(), SCHEMA);
    }
}
