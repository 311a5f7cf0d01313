package dev.hearth.store.postgres;

import dev.hearth.store.SecretStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;

/** The secret contract against the PostgreSQL that {@link TestDatabase} finds; each test skipped when there is none. */
class PostgresSecretStoreTest extends SecretStoreContract {

    private static final String SCHEMA = TestDatabase.uniqueSchema("hearth_secret_test_");

    @AfterAll
    static void dropSchema() throws SQLException {
        TestDatabase.dropSchema(SCHEMA);
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        return TestDatabase.freshStore(SCHEMA);
    }
}
