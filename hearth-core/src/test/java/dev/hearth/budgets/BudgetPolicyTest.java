package dev.hearth.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.metering.Money;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BudgetPolicyTest {

    private static final Instant NOW = Instant.parse("2026-02-14T13:45:10Z");
    private static final Budget DAILY = new Budget("echo", BudgetPeriod.DAY, Money.ofDollars("10"),
            Money.ofDollars("8"), null);

    @Test
    void aJobIsAdmittedWhileItsMostExpensiveOutcomeStillFits() {
        var standing = new BudgetStanding(DAILY, Money.ofDollars("6"), Money.ofDollars("3"), 3);
        assertThat(BudgetPolicy.admit(List.of(standing), Money.ofDollars("1"), NOW))
                .isInstanceOf(Admission.Admitted.class);
        assertThat(BudgetPolicy.admit(List.of(standing), Money.ofDollars("1.01"), NOW))
                .isInstanceOf(Admission.Refused.class);
    }

    @Test
    void theFirstBudgetThatWouldBeOvershotRefusesWithItsResetTime() {
        Budget hourly = new Budget(null, BudgetPeriod.HOUR, Money.ofDollars("2"), null, null);
        var refused = (Admission.Refused) BudgetPolicy.admit(List.of(
                new BudgetStanding(DAILY, Money.ZERO, Money.ZERO, 0),
                new BudgetStanding(hourly, Money.ofDollars("1.5"), Money.ZERO, 0)), Money.ofDollars("0.75"), NOW);

        assertThat(refused.standing().budget()).isEqualTo(hourly);
        assertThat(refused.resetsAt()).isEqualTo(Instant.parse("2026-02-14T14:00:00Z"));
        assertThat(refused.message()).isEqualTo("the hourly budget of all functions is used up: $1.50 spent of its "
                + "$2.00 limit; this job could cost up to $0.75. It resets at 2026-02-14T14:00:00Z.");
    }

    @Test
    void aJobDearerThanTheWholeLimitIsToldSo() {
        var refused = (Admission.Refused) BudgetPolicy.admit(
                List.of(new BudgetStanding(DAILY, Money.ZERO, Money.ZERO, 0)), Money.ofDollars("11"), NOW);
        assertThat(refused.message()).startsWith("the daily budget of function 'echo' ($10.00 limit) cannot take this "
                + "job: it alone could cost up to $11.00").contains("lower policy.executionTimeout");
    }

    @Test
    void periodsAreCalendarPeriodsInUtc() {
        assertThat(BudgetPeriod.DAY.start(NOW)).isEqualTo(Instant.parse("2026-02-14T00:00:00Z"));
        assertThat(BudgetPeriod.DAY.resetsAt(NOW)).isEqualTo(Instant.parse("2026-02-15T00:00:00Z"));
        assertThat(BudgetPeriod.MONTH.start(NOW)).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(BudgetPeriod.MONTH.resetsAt(NOW)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        assertThat(BudgetPeriod.fromWire("daily")).isEqualTo(BudgetPeriod.DAY);
    }

    @Test
    void theSoftThresholdFiresOnceWhenSpendReachesIt() {
        assertThat(BudgetPolicy.reachedSoft(DAILY, Money.ofDollars("7.99"), Money.ofDollars("8"))).isTrue();
        assertThat(BudgetPolicy.reachedSoft(DAILY, Money.ofDollars("8"), Money.ofDollars("9"))).isFalse();
        assertThat(BudgetPolicy.reachedSoft(DAILY, Money.ofDollars("1"), Money.ofDollars("2"))).isFalse();
    }
}
