package dev.hearth.store.postgres;

import static dev.hearth.store.TestJobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;
import dev.hearth.audit.AuditEntry;
import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import dev.hearth.releases.Release;
import dev.hearth.secrets.SealedSecret;
import dev.hearth.store.StoreException;
import dev.hearth.store.TestJobs;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.StoreCopy;
import dev.hearth.store.sqlite.SqliteStore;
import dev.hearth.webhooks.DeliveryState;
import dev.hearth.webhooks.WebhookDelivery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** hearth store copy's table-driven copy from SQLite into PostgreSQL (skipped where no PostgreSQL answers). */
class StoreCopyTest {

    private final String schema = TestDatabase.uniqueSchema("hearth_copy_test_");
    private SqliteStore sqlite;
    private PostgresStore postgres;

    @BeforeEach
    void open() throws Exception {
        postgres = TestDatabase.freshStore(schema);
        sqlite = SqliteStore.open(Files.createTempDirectory("hearth-copy"));
    }

    @AfterEach
    void close() throws SQLException {
        if (sqlite != null) {
            sqlite.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        TestDatabase.dropSchema(schema);
    }

    @Test
    void everyTableOfTheSourceArrivesWithAllItsRows() {
        fillEveryTable(sqlite);
        Map<String, Long> source = StoreCopy.rowCounts(sqlite);
        // A table this test leaves empty would be copied unseen: a new migration's table needs a row above.
        assertThat(source).allSatisfy((table, rows) -> assertThat(rows).as("rows of " + table + " in the source "
                + "(give the new table a row in fillEveryTable)").isPositive());

        Map<String, Long> copied = StoreCopy.copy(sqlite, postgres, null);

        assertThat(copied).isEqualTo(source);
        assertThat(StoreCopy.rowCounts(postgres)).isEqualTo(source);
    }

    @Test
    void rowsReadBackAsTheyWereWritten() {
        Job job = TestJobs.everyFieldSet();
        sqlite.insert(job);
        sqlite.functions().save(TestJobs.function("echo", 1));
        sqlite.put("api_key", "hash");

        StoreCopy.copy(sqlite, postgres, null);

        assertThat(postgres.find(job.id())).contains(job);
        assertThat(postgres.functions().latest("echo")).contains(TestJobs.function("echo", 1));
        assertThat(postgres.get("api_key")).contains("hash");
    }

    @Test
    void bundlesFromOutsideTheDatabaseGoIntoItsBundlesTable() {
        sqlite.functions().save(TestJobs.function("echo", 1));

        StoreCopy.copy(sqlite, postgres, sink -> sink.accept(new StoreCopy.Bundle("sha-echo-1", new byte[] {1, 2})));

        assertThat(postgres.bundles().find("sha-echo-1")).hasValueSatisfying(zip ->
                assertThat(zip).containsExactly(1, 2));
    }

    @Test
    void aTargetWithRowsIsRefusedAndLeftAsItWas() {
        sqlite.insert(TestJobs.queued("echo"));
        Job already = TestJobs.queued("other");
        postgres.insert(already);

        assertThatThrownBy(() -> StoreCopy.copy(sqlite, postgres, null))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("is not empty (its table jobs has 1 rows)");
        assertThat(StoreCopy.rowCounts(postgres).get("jobs")).isEqualTo(1);
        assertThat(postgres.find(already.id())).contains(already);
    }

    @Test
    void aFailedCopyLeavesTheTargetEmpty() {
        sqlite.insert(TestJobs.queued("echo"));

        assertThatThrownBy(() -> StoreCopy.copy(sqlite, postgres, sink -> {
            throw new SQLException("the bundle files cannot be read");
        })).isInstanceOf(StoreException.class).hasMessageContaining("the bundle files cannot be read");

        assertThat(StoreCopy.rowCounts(postgres)).allSatisfy((table, rows) -> assertThat(rows).isZero());
    }

    /** A row in every table a store has. */
    private static void fillEveryTable(JdbcStore store) {
        Job job = TestJobs.everyFieldSet();
        store.insert(job);
        store.appendEvents(List.of(new JobEvent(job.id(), 1, T0, JobEventType.QUEUED, 0, null, null, 7, null, null,
                null, null)));
        store.functions().save(TestJobs.function("echo", 1));
        store.releases().append(new Release("echo", 1, null, T0));
        store.deliveries().save(new WebhookDelivery(job.id(), "msg_1", "http://h/x", DeliveryState.PENDING, 1, 500,
                "HTTP 500", T0.plusSeconds(2), T0));
        store.record(List.of(new UsageInterval("w1", "echo", 1, "local", Resources.gpus("H100", 1, 2),
                        PriceTier.ON_DEMAND, UsageKind.BUSY, T0, T0.plusSeconds(1), new Money(5))),
                List.of(new JobCost(job.id(), 1, "echo", 1, "w1", Resources.gpus("H100", 1, 2), PriceTier.ON_DEMAND,
                        T0, T0.plusSeconds(1), new Money(5))));
        store.saveBudget(new Budget("echo", BudgetPeriod.DAY, Money.ofDollars("5"), null, null));
        store.append(new AuditEntry("a1", T0, "admin", "deploy", "echo", "echo", "version 1", "127.0.0.1", 201,
                "ok"));
        store.saveSecret(new SealedSecret("hf", List.of("HF_TOKEN"), "c2VhbGVk", T0));
        store.put("api_key", "hash");
        store.bundles().save("sha-echo-1", new byte[] {1, 2, 3});
        store.saveAlertRule(new AlertRule("slow", "echo", AlertCondition.parse("p95 latency > 2s"), null, T0));
        store.saveAlertEvent(new AlertEvent("ae1", "slow", "echo", T0, AlertState.FIRING, 2.5, "p95 2.5s", "sent"));
    }
}
