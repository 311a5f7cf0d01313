package dev.hearth.store.postgres;

import dev.hearth.store.SecretStoreContract;
import dev.hearth.store.jdbc.JdbcStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The secret contract against the PostgreSQL that {@link PostgresStoreTest} finds; skipped when there is none. */
class PostgresSecretStoreTest extends SecretStoreContract {

    private static final String SCHEMA = "hearth_secret_test_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void findDatabase() {
        PostgresStoreTest.findDatabase();
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        return PostgresStore.open(PostgresStoreTest.url(), SCHEMA);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresStoreTest.url()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
