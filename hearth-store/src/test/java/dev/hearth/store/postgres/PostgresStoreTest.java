package dev.hearth.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.jobs.Job;
import dev.hearth.store.JobStoreContract;
import dev.hearth.store.TestJobs;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against a real PostgreSQL (see {@link TestDatabase} for which one); each test is skipped, and counted as
 * such, when none answers. Each run uses a schema of its own and drops it afterwards.
 */
class PostgresStoreTest extends JobStoreContract {

    private static final String SCHEMA = TestDatabase.uniqueSchema("hearth_test_");

    @AfterAll
    static void dropSchema() throws SQLException {
        TestDatabase.dropSchema(SCHEMA);
    }

    @Override
    protected JdbcStore openStore() throws SQLException {
        return TestDatabase.freshStore(SCHEMA);
    }

    @Test
    void nodesSharingTheSchemaSeeEachOthersWritesAndConflicts() {
        try (PostgresStore otherNode = PostgresStore.open(TestDatabase.url(), SCHEMA)) {
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
        TestDatabase.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        String url = TestDatabase.url();
        int nodes = 4;
        CyclicBarrier together = new CyclicBarrier(nodes);
        List<PostgresStore> opened = new ArrayList<>();
        List<Job> inserted = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<PostgresStore>> opening = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                opening.add(executor.submit(() -> {
                    together.await();
                    return PostgresStore.open(url, SCHEMA);
                }));
            }
            for (Future<PostgresStore> f : opening) {
                PostgresStore node = f.get(); // a second migration would fail here: its CREATE TABLEs collide
                opened.add(node);
                Job job = TestJobs.queued("echo");
                node.insert(job);
                inserted.add(job);
            }
            for (PostgresStore node : opened) {
                assertThat(node.get(Schema.VERSION_KEY)).contains(Integer.toString(Schema.LATEST));
                for (Job job : inserted) {
                    assertThat(node.find(job.id())).contains(job);
                }
            }
        } finally {
            opened.forEach(PostgresStore::close);
        }
    }
}
