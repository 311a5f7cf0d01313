package dev.hearth.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the tests run against: {@code $HEARTH_TEST_PG_URL} (or {@code -Dhearth.test.pg.url}) when set, and
 * only that; else the local test database as user postgres or root. Looked for once per test JVM. Where none answers,
 * every PostgreSQL test is skipped through a JUnit assumption in its own setup, so the report counts each one as
 * skipped with the reason instead of erroring or leaving the class out (CI's {@code .ci/run} fails on such skips).
 */
final class TestDatabase {

    private static final String SKIPPED = "PostgreSQL is not reachable, so the PostgreSQL store tests are skipped"
            + " (start one on 127.0.0.1:5432 or set HEARTH_TEST_PG_URL to run them); tried ";
    private static Optional<String> url;
    private static String failures;

    private TestDatabase() {}

    /** The JDBC URL of a PostgreSQL that answered, or aborts the calling test as skipped saying why. */
    static synchronized String url() {
        if (url == null) {
            url = find();
        }
        Assumptions.assumeTrue(url.isPresent(), () -> SKIPPED + failures);
        return url.get();
    }

    /** Whether a PostgreSQL answered; for cleanup that must not abort when there is nothing to clean. */
    static synchronized boolean found() {
        return url != null && url.isPresent();
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** A schema name no other run uses, so runs on one database never see each other's tables. */
    static String uniqueSchema(String prefix) {
        return prefix + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** An empty store in {@code schema}, dropped first if an earlier test left it (skips the test without a server). */
    static PostgresStore freshStore(String schema) throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        return PostgresStore.open(url(), schema);
    }

    /** Drops {@code schema} after a class's tests; does nothing where no PostgreSQL answered. */
    static void dropSchema(String schema) throws SQLException {
        if (found()) {
            execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static Optional<String> find() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getProperty("hearth.test.pg.url", System.getenv("HEARTH_TEST_PG_URL"));
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        } else {
            candidates.add("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3");
            candidates.add("jdbc:postgresql://127.0.0.1:5432/test?user=root&connectTimeout=3");
        }
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates) {
            try (Connection c = DriverManager.getConnection(candidate)) {
                return Optional.of(candidate);
            } catch (SQLException e) {
                tried.add(candidate + ": " + e.getMessage());
            }
        }
        failures = tried.toString();
        return Optional.empty();
    }
}
