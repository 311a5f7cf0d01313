package dev.hearth.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.jobs.Job;
import dev.hearth.store.JobStoreContract;
import dev.hearth.store.TestJobs;
import dev.hearth.store.jdbc.JdbcStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against a real PostgreSQL: {@code $HEARTH_TEST_PG_URL}, else the local test database as user postgres
 * or root. Skipped, not failed, when none answers. Each run uses a schema of its own and drops it afterwards.
 */
class PostgresStoreTest extends JobStoreContract {

    private static final String SCHEMA = "hearth_test_"
            + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static String url;

    @BeforeAll
    static void findDatabase() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getenv("HEARTH_TEST_PG_URL");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.add("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=3");
        candidates.add("jdbc:postgresql://127.0.0.1:5432/test?user=root&connectTimeout=3");
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates) {
            try (Connection c = DriverManager.getConnection(candidate)) {
                url = candidate;
                return;
            } catch (SQLException e) {
                failures.add(candidate + ": " + e.getMessage());
            }
        }
        Assumptions.abort("PostgreSQL is not reachable, skipping the PostgreSQL store tests (set HEARTH_TEST_PG_URL"
                + " to run them); tried " + failures);
    }

    static String url() {
        return url;
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (url != null) {
            execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        return PostgresStore.open(url, SCHEMA);
    }

    @Test
    void nodesSharingTheSchemaSeeEachOthersWritesAndConflicts() {
        try (PostgresStore otherNode = PostgresStore.open(url, SCHEMA)) {
            Job job = TestJobs.queued("echo");
            store.insert(job);
            assertThat(otherNode.find(job.id())).contains(job);

            Job leasedHere = TestJobs.leased(job, "w1", TestJobs.T0);
            Job cancelledThere = TestJobs.cancelled(job, TestJobs.T0);
            assertThat(store.update(leasedHere)).isTrue();
            assertThat(otherNode.update(cancelledThere)).isFalse();
            assertThat(otherNode.find(job.id())).contains(leasedHere);
        }
    }

    @Test
    void nodesStartingTogetherMigrateOnce() throws Exception {
        store.close();
        execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PostgresStore>> opening = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opening.add(executor.submit(() -> PostgresStore.open(url, SCHEMA)));
            }
            for (Future<PostgresStore> f : opening) {
                try (PostgresStore s = f.get()) {
                    s.insert(TestJobs.queued("echo"));
                }
            }
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
