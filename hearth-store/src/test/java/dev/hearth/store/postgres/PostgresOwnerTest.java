package dev.hearth.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.store.StoreException;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One control plane per PostgreSQL store: the exclusive open that servers and store copies use. */
class PostgresOwnerTest {

    private final String schema = TestDatabase.uniqueSchema("hearth_owner_test_");

    @AfterEach
    void drop() throws SQLException {
        TestDatabase.dropSchema(schema);
    }

    @Test
    void aSecondOwnerIsRefusedUntilTheFirstCloses() {
        PostgresStore first = openExclusive();
        try {
            assertThatThrownBy(this::openExclusive).isInstanceOf(StoreException.class)
                    .hasMessageContaining("is in use by another Hearth").hasMessageContaining("one control plane");
        } finally {
            first.close();
        }

        try (PostgresStore second = openExclusive()) {
            assertThat(second.get("anything")).isEmpty();
        }
    }

    @Test
    void anotherSchemaHasItsOwnOwner() throws SQLException {
        String other = TestDatabase.uniqueSchema("hearth_owner_test_");
        try (PostgresStore first = openExclusive();
             PostgresStore second = PostgresStore.openExclusive(TestDatabase.url(), other, new Properties(), 2, true)) {
            assertThat(first.isClosed()).isFalse();
            assertThat(second.isClosed()).isFalse();
        } finally {
            TestDatabase.dropSchema(other);
        }
    }

    @Test
    void nodesShareAStoreThatNoExclusiveOwnerMayTakeWhileOneRuns() {
        try (PostgresStore a = openMember(); PostgresStore b = openMember()) {
            assertThat(a.isClosed()).isFalse();
            assertThat(b.isClosed()).isFalse();
            assertThatThrownBy(this::openExclusive).isInstanceOf(StoreException.class)
                    .hasMessageContaining("is in use by another Hearth");
        }
        try (PostgresStore owner = openExclusive()) {
            assertThatThrownBy(this::openMember).isInstanceOf(StoreException.class)
                    .hasMessageContaining("is in use by a Hearth that is not one of several nodes");
        }
    }

    private PostgresStore openMember() {
        return PostgresStore.openMember(TestDatabase.url(), schema, new Properties(), 2, true);
    }

    private PostgresStore openExclusive() {
        return PostgresStore.openExclusive(TestDatabase.url(), schema, new Properties(), 2, true);
    }
}
