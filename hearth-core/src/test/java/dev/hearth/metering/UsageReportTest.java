package dev.hearth.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageReportTest {

    private static final Instant T0 = Instant.parse("2026-11-23T23:59:55Z");
    private static final PriceCatalog PRICES = PriceCatalogParser.parse("""
            gpus: {L4: {onDemand: 0.001, alwaysOn: 0.0005}}
            cpu: {onDemand: 0.00001}
            """);

    @Test
    void linesSplitCostByKindAndUtilizationIsBusyOverBilledGpuTime() {
        List<UsageInterval> life = List.of(
                interval("w1", "a", 1, UsageKind.STARTING, 0, 1_000),
                interval("w1", "a", 1, UsageKind.BUSY, 1_000, 4_000),
                interval("w1", "a", 1, UsageKind.IDLE, 4_000, 9_000),
                interval("w1", "a", 1, UsageKind.DRAINING, 9_000, 10_000),
                interval("w2", "b", 2, UsageKind.BUSY, 0, 2_000));
        List<JobCost> jobs = List.of(JobCost.priced("j1", 1, "a", 1, "w1", Resources.gpus("L4", 2, 1),
                PriceTier.ON_DEMAND, T0.plusMillis(1_000), T0.plusMillis(4_000), PRICES));

        List<UsageLine> byFunction = UsageReport.group(life, jobs, UsageGrouping.FUNCTION);
        UsageLine a = byFunction.getFirst();
        assertThat(a.key()).isEqualTo("a");
        // 2 L4s for 10 s at $0.001 each: $0.02, of which 3 s busy = $0.006, 5 s idle = $0.01
        assertThat(a.billed()).isEqualTo(Money.ofDollars("0.02"));
        assertThat(a.cost(UsageKind.BUSY)).isEqualTo(Money.ofDollars("0.006"));
        assertThat(a.cost(UsageKind.IDLE)).isEqualTo(Money.ofDollars("0.01"));
        assertThat(a.billedGpuMillis()).isEqualTo(20_000);
        assertThat(a.busyGpuMillis()).isEqualTo(6_000);
        assertThat(a.utilization()).isEqualTo(0.3);
        assertThat(a.jobs()).isEqualTo(1);
        assertThat(a.jobCost()).isEqualTo(Money.ofDollars("0.006"));
        assertThat(byFunction.get(1).key()).isEqualTo("b");

        assertThat(UsageReport.group(life, jobs, UsageGrouping.VERSION)).extracting(UsageLine::key)
                .containsExactly("a@1", "b@2");
        // intervals count on the day they end
        assertThat(UsageReport.group(life, jobs, UsageGrouping.DAY)).extracting(UsageLine::key)
                .containsExactly("2026-11-23", "2026-11-24");
        assertThat(UsageReport.group(life, jobs, UsageGrouping.JOB)).extracting(UsageLine::key).containsExactly("j1");
        assertThat(UsageReport.total(life, jobs).billed()).isEqualTo(Money.ofDollars("0.024"));
    }

    private static UsageInterval interval(String worker, String fn, int version, UsageKind kind, long from, long to) {
        return UsageInterval.priced(worker, fn, version, "local", Resources.gpus("L4", 2, 1), PriceTier.ON_DEMAND,
                kind, T0.plusMillis(from), T0.plusMillis(to), PRICES);
    }
}
