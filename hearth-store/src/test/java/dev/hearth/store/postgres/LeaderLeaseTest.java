package dev.hearth.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hearth.cluster.ClusterView;
import dev.hearth.store.StoreException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader lease of several control-plane nodes on one PostgreSQL store, and the fencing by its term. */
class LeaderLeaseTest {

    private static final Duration LONG = Duration.ofMinutes(1);
    private static final Duration SHORT = Duration.ofMillis(300);

    private final String schema = TestDatabase.uniqueSchema("hearth_lease_test_");
    private LeaderLease a;
    private LeaderLease b;
    private PostgresStore store;

    @AfterEach
    void drop() throws SQLException {
        for (AutoCloseable c : new AutoCloseable[] {store, a, b}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // cleanup
                }
            }
        }
        TestDatabase.dropSchema(schema);
    }

    @Test
    void aLiveLeaseIsNotTakenAndALapsedOneIsTakenWithTheNextTerm() throws SQLException {
        a = lease("a");
        b = lease("b");

        OptionalLong first = a.tryAcquire(SHORT);
        assertThat(first).hasValue(1);
        assertThat(b.tryAcquire(SHORT)).isEmpty();

        OptionalLong second = await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(LONG),
                OptionalLong::isPresent);
        assertThat(second).hasValue(2);
        assertThat(b.holder().node()).isEqualTo("b");
        assertThat(b.holder().url()).isEqualTo("http://b");
    }

    @Test
    void aDeposedLeaderCannotRenew() throws SQLException {
        a = lease("a");
        b = lease("b");
        long term = a.tryAcquire(SHORT).orElseThrow();
        assertThat(a.renew(term, SHORT)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(LONG).isPresent());

        assertThat(a.renew(term, SHORT)).isFalse();
    }

    @Test
    void aReleasedLeaseIsTakenAtOnce() throws SQLException {
        a = lease("a");
        b = lease("b");
        long term = a.tryAcquire(LONG).orElseThrow();

        a.release(term);

        assertThat(b.tryAcquire(LONG)).hasValue(term + 1);
    }

    @Test
    void theWritesOfADeposedLeaderAreRefusedAndNothingOfThemIsWritten() throws SQLException {
        a = lease("a");
        b = lease("b");
        long term = a.tryAcquire(SHORT).orElseThrow();
        store = PostgresStore.openFenced(TestDatabase.url(), schema, new Properties(), 2, false, term);
        store.put("before", "written");

        await().atMost(Duration.ofSeconds(5)).until(() -> b.tryAcquire(LONG).isPresent());

        assertThatThrownBy(() -> store.put("after", "refused")).isInstanceOf(StoreException.class)
                .hasMessageContaining("term " + term + ") has ended");
        assertThat(store.get("before")).hasValue("written");
        assertThat(store.get("after")).isEmpty();
    }

    @Test
    void theViewListsLiveNodesWithTheLeaderFirst() throws SQLException {
        a = lease("a");
        b = lease("b");
        a.heartbeat();
        b.heartbeat();
        long term = b.tryAcquire(LONG).orElseThrow();

        ClusterView view = a.view();

        assertThat(view.term()).isEqualTo(term);
        assertThat(view.nodes()).extracting(ClusterView.Node::url).containsExactly("http://b", "http://a");
        assertThat(view.nodes()).extracting(ClusterView.Node::leader).containsExactly(true, false);
    }

    private LeaderLease lease(String node) {
        return LeaderLease.open(TestDatabase.url(), schema, new Properties(), node, "http://" + node);
    }
}
