package dev.hearth.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every store must do with usage intervals, job costs and budgets; run against SQLite and PostgreSQL. */
public abstract class UsageStoreContract extends EmptyStorePerTest {

    protected static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void intervalsReadBackAsRecordedFilteredByFunctionAndEndTime() {
        UsageInterval gpu = interval("w1", "echo", UsageKind.STARTING, 0, 900, Resources.gpus("H100", 2, 1), 2088);
        UsageInterval busy = interval("w1", "echo", UsageKind.BUSY, 900, 2000, Resources.gpus("H100", 2, 1), 2552);
        UsageInterval cpu = interval("w2", "other", UsageKind.IDLE, 0, 1500, Resources.cpu(0.5), 10);
        store.record(List.of(gpu, busy, cpu), List.of());

        assertThat(store.intervals(T0, T0.plusSeconds(10), null)).containsExactly(gpu, cpu, busy);
        assertThat(store.intervals(T0, T0.plusSeconds(10), "echo")).containsExactly(gpu, busy);
        // [from, to) on the end time
        assertThat(store.intervals(T0.plusMillis(900), T0.plusMillis(2000), null)).containsExactly(gpu, cpu);
    }

    @Test
    void jobCostsReadBackAndARepeatedAttemptKeepsTheFirst() {
        JobCost first = jobCost("j1", 1, "echo", 100, 400, 348);
        JobCost second = jobCost("j1", 2, "echo", 500, 900, 464);
        store.record(List.of(), List.of(first, second));
        store.record(List.of(), List.of(jobCost("j1", 1, "echo", 100, 400, 999)));

        assertThat(store.jobCosts(T0, T0.plusSeconds(1), "echo")).containsExactly(first, second);
        assertThat(store.jobCosts(T0, T0.plusSeconds(1), "other")).isEmpty();
    }

    @Test
    void spendCountsJobCostsAndWorkerTimeNoJobAccountsFor() {
        store.record(List.of(
                interval("w1", "echo", UsageKind.STARTING, 0, 100, Resources.cpu(1), 1_000),
                interval("w1", "echo", UsageKind.BUSY, 100, 200, Resources.cpu(1), 20_000),
                interval("w1", "echo", UsageKind.IDLE, 200, 300, Resources.cpu(1), 300),
                interval("w2", "other", UsageKind.DRAINING, 0, 300, Resources.cpu(1), 4)),
                List.of(jobCost("j1", 1, "echo", 100, 200, 50_000), jobCost("j2", 1, "other", 0, 50, 7)));

        assertThat(store.spentSince("echo", T0)).isEqualTo(new Money(51_300));
        assertThat(store.spentSince(null, T0)).isEqualTo(new Money(51_311));
        assertThat(store.spentSince("echo", T0.plusMillis(250))).isEqualTo(new Money(300));
    }

    @Test
    void budgetsAreSavedReplacedListedAndDeleted() {
        Budget daily = new Budget("echo", BudgetPeriod.DAY, Money.ofDollars("5"), Money.ofDollars("4"),
                "http://hooks.example/budget");
        Budget global = new Budget(null, BudgetPeriod.HOUR, Money.ofDollars("1.5"), null, null);
        store.saveBudget(daily);
        store.saveBudget(global);
        Budget raised = new Budget("echo", BudgetPeriod.DAY, Money.ofDollars("7"), null, null);
        store.saveBudget(raised);

        assertThat(store.listBudgets()).containsExactlyInAnyOrder(raised, global);
        assertThat(store.deleteBudget(null, BudgetPeriod.HOUR)).isTrue();
        assertThat(store.deleteBudget(null, BudgetPeriod.HOUR)).isFalse();
        assertThat(store.deleteBudget("echo", BudgetPeriod.MONTH)).isFalse();
        assertThat(store.listBudgets()).containsExactly(raised);
    }

    private static UsageInterval interval(String worker, String fn, UsageKind kind, long from, long to, Resources r,
                                          long nanos) {
        return new UsageInterval(worker, fn, 3, "local", r, PriceTier.ON_DEMAND, kind, T0.plusMillis(from),
                T0.plusMillis(to), new Money(nanos));
    }

    private static JobCost jobCost(String job, int attempt, String fn, long from, long to, long nanos) {
        return new JobCost(job, attempt, fn, 2, "w1", Resources.gpus("L4", 1, 1), PriceTier.ALWAYS_ON,
                T0.plusMillis(from), T0.plusMillis(to), new Money(nanos));
    }
}
