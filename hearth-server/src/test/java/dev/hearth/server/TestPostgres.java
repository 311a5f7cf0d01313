package dev.hearth.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL that control-plane tests put their stores in: {@code $HEARTH_TEST_PG_STORE}
 * ({@code postgresql://user@host:port/db}) when set, else the local {@code test} database as postgres or root. Each
 * store gets a schema of its own, so tests running at once never see each other's tables. Where no PostgreSQL
 * answers, the test is skipped through a JUnit assumption saying why.
 */
public final class TestPostgres {

    private static String base;
    private static String failures;

    private TestPostgres() {
    }

    /** A store URL in a new, unused schema ({@code --store} syntax); skips the test without a PostgreSQL. */
    public static String newStoreUrl() {
        return base() + "?schema=hearth_server_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Drops the schema of a URL from {@link #newStoreUrl()}; nothing without a PostgreSQL. */
    public static void drop(String storeUrl) throws SQLException {
        if (storeUrl != null) {
            execute("DROP SCHEMA IF EXISTS " + schema(storeUrl) + " CASCADE");
        }
    }

    /** Rows in a table of the store, counted by SQL rather than through Hearth. */
    public static long rows(String storeUrl, String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc(base())); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + schema(storeUrl) + "." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String schema(String storeUrl) {
        return storeUrl.substring(storeUrl.indexOf("?schema=") + "?schema=".length());
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc(base())); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static synchronized String base() {
        if (base == null && failures == null) {
            List<String> candidates = new ArrayList<>();
            String configured = System.getenv("HEARTH_TEST_PG_STORE");
            if (configured != null && !configured.isBlank()) {
                candidates.add(configured.strip());
            } else {
                candidates.add("postgresql://postgres@127.0.0.1:5432/test");
                candidates.add("postgresql://root@127.0.0.1:5432/test");
            }
            List<String> tried = new ArrayList<>();
            for (String candidate : candidates) {
                try (Connection c = DriverManager.getConnection(jdbc(candidate))) {
                    base = candidate;
                    break;
                } catch (SQLException e) {
                    tried.add(candidate + ": " + e.getMessage());
                }
            }
            failures = base == null ? tried.toString() : null;
        }
        Assumptions.assumeTrue(base != null, () -> "PostgreSQL is not reachable, so this PostgreSQL store test is "
                + "skipped (start one on 127.0.0.1:5432 or set HEARTH_TEST_PG_STORE); tried " + failures);
        return base;
    }

    /** {@code postgresql://user@host:port/db} as the driver takes it (no password in these URLs). */
    private static String jdbc(String url) {
        String rest = url.substring(url.indexOf("://") + 3);
        String user = rest.substring(0, rest.indexOf('@'));
        return "jdbc:postgresql://" + rest.substring(rest.indexOf('@') + 1) + "?user=" + user + "&connectTimeout=3";
    }
}
