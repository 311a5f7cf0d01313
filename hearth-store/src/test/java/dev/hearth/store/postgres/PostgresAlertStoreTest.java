package dev.hearth.store.postgres;

import dev.hearth.store.AlertStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;

/** The alert contract against the PostgreSQL that {@link TestDatabase} finds; each test skipped when there is none. */
class PostgresAlertStoreTest extends AlertStoreContract {

    private static final String SCHEMA = TestDatabase.uniqueSchema("hearth_alert_test_");

    @AfterAll
    static void dropSchema() throws SQLException {
        TestDatabase.dropSchema(SCHEMA);
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        return TestDatabase.freshStore(SCHEMA);
    }
}
