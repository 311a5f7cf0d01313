package dev.hearth.server.budgets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.budgets.Budget;
import dev.hearth.webhooks.WebhookTargets;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.budgets.BudgetStanding;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestParser;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobPolicy;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceCatalogParser;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The budget mechanics against a real SQLite store: admission under concurrency, settlement, restarts. */
class BudgetServiceTest {

    private static final Instant NOW = Instant.parse("2026-11-23T15:30:00Z");
    private static final PriceCatalog PRICES = PriceCatalogParser.parse(PriceCatalogParser.defaultYaml());
    private static final FunctionVersion GPU_FN = new FunctionVersion("render", 1, ManifestParser.parse("""
            name: render
            handler: handler.py:handler
            gpu: H100
            timeout: 10s
            """), "", null, NOW);
    /** One render job at most: 10 s on an H100 at the on-demand rate of $0.00116/s. */
    private static final Money MAX_JOB = Money.ofDollars("0.0116");

    @TempDir
    Path dir;
    private SqliteStore store;
    private BudgetService budgets;
    private final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir);
        budgets = newService();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private BudgetService newService() {
        return new BudgetService(store, store, () -> PRICES, () -> { }, WebhookTargets.allowing(java.util.List.of()),
                InstantSource.fixed(NOW));
    }

    @Test
    void theMostAJobCanCostIsItsTimeoutAtTheDearestRate() {
        assertThat(PRICES.maxJobCost(GPU_FN.manifest().gpu(), 1, Duration.ofSeconds(10), 0)).isEqualTo(MAX_JOB);
    }

    @Test
    void fiftyConcurrentSubmittersNeverCommitMoreThanTheLimit() throws Exception {
        // room for 10 jobs and a half
        budgets.put(new Budget("render", BudgetPeriod.DAY, new Money(MAX_JOB.nanos() * 21 / 2), null,
                null));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        budgets.admit(job(), GPU_FN);
                        return true;
                    } catch (HearthException.PaymentRequired e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> f : results) {
                admitted += f.get() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(10);
        }
        BudgetStanding s = budgets.standings().getFirst();
        assertThat(s.reservedJobs()).isEqualTo(10);
        assertThat(s.committed()).isLessThanOrEqualTo(s.budget().limit());
    }

    @Test
    void aRefusalNamesTheBudgetItsLimitAndWhenItResets() {
        budgets.put(new Budget(null, BudgetPeriod.HOUR, Money.ofDollars("0.02"), null, null));
        budgets.admit(job(), GPU_FN);

        assertThatThrownBy(() -> budgets.admit(job(), GPU_FN))
                .isInstanceOf(HearthException.PaymentRequired.class)
                .hasMessageContaining("the hourly budget of all functions is used up")
                .hasMessageContaining("$0.02 limit")
                .hasMessageContaining("$0.0116 reserved by 1 unfinished job")
                .hasMessageContaining("resets at 2026-11-23T16:00:00Z");
    }

    @Test
    void aFinishedJobGivesBackItsReservationAndCountsItsRealCost() {
        budgets.put(new Budget("render", BudgetPeriod.MONTH, MAX_JOB.times(2).plus(Money.ofDollars("0.003")), null,
                null));
        Job first = job();
        budgets.admit(first, GPU_FN);
        budgets.admit(job(), GPU_FN);
        assertThatThrownBy(() -> budgets.admit(job(), GPU_FN)).isInstanceOf(HearthException.PaymentRequired.class);

        // the first job ran 2 s: it cost 2 s of H100, and frees the rest of its reservation
        budgets.jobCost(JobCost.priced(first.id(), 1, "render", 1, "w1", Resources.gpus("H100", 1, 1),
                PriceTier.ON_DEMAND, NOW.minusSeconds(2), NOW, PRICES));
        budgets.finished(first);

        BudgetStanding s = budgets.standings().getFirst();
        assertThat(s.spent()).isEqualTo(Money.ofDollars("0.00232"));
        assertThat(s.reservedJobs()).isEqualTo(1);
        budgets.admit(job(), GPU_FN);
    }

    @Test
    void aJobRemovedByItsTtlGivesBackItsReservation() {
        budgets.put(new Budget("render", BudgetPeriod.DAY, MAX_JOB, null, null));
        Job expiring = job();
        budgets.admit(expiring, GPU_FN);
        assertThatThrownBy(() -> budgets.admit(job(), GPU_FN)).isInstanceOf(HearthException.PaymentRequired.class);

        budgets.removed(expiring);

        assertThat(budgets.standings().getFirst().reservedJobs()).isZero();
        budgets.admit(job(), GPU_FN);
    }

    @Test
    void budgetsTheirSpendAndOpenReservationsSurviveARestart() {
        budgets.put(new Budget("render", BudgetPeriod.DAY, Money.ofDollars("0.03"), null, null));
        Job running = job();
        budgets.admit(running, GPU_FN);
        JobCost earlier = JobCost.priced("old", 1, "render", 1, "w1", Resources.gpus("H100", 1, 1),
                PriceTier.ON_DEMAND, NOW.minusSeconds(5), NOW.minusSeconds(1), PRICES);
        store.record(List.of(), List.of(earlier));

        BudgetService restarted = newService();
        restarted.load(List.of(running), j -> java.util.Optional.of(GPU_FN));

        BudgetStanding s = restarted.standings().getFirst();
        assertThat(s.spent()).isEqualTo(earlier.cost());
        assertThat(s.reserved()).isEqualTo(MAX_JOB);
        // $0.03 - $0.00464 spent - $0.0116 reserved leaves room for one more job, not two
        restarted.admit(job(), GPU_FN);
        assertThatThrownBy(() -> restarted.admit(job(), GPU_FN)).isInstanceOf(HearthException.PaymentRequired.class);
    }

    private Job job() {
        return Job.submitted("job-" + ids.incrementAndGet(), "render", 1, "{}", null,
                new JobPolicy(Duration.ofSeconds(10), JobPolicy.DEFAULT_TTL, false), 0, NOW);
    }
}
